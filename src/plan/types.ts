/**
 * The validated plan: what `parsePlan` returns and what `plan.initialized`
 * records in the event log. Field names follow the plan document (snake_case).
 */

export type Gate = 'human' | 'auto';

export interface StageDef {
  id: string;
  name: string;
  description: string;
  dependencies: string[];
  parallel_group?: string | undefined;
  /** Shell commands run in the stage's worktree; all must exit 0. */
  acceptance: string[];
  /** Glob patterns (relative to the repository root) of the files this stage may change. */
  files: string[];
  /** `human`: `flux verify` must approve. `auto`: verified as soon as acceptance passes. */
  gate: Gate;
}

export interface Plan {
  /** The plan file, relative to the repository root, with `/` separators. */
  path: string;
  /** The document's first `# ` heading, without a leading `PLAN:`; the file name when there is none. */
  title: string;
  version: 1;
  /** In document order. */
  stages: StageDef[];
  /**
   * Plan-level checks (`flux: acceptance:`), run with each stage's own on the
   * merged tree before the base moves; absent in logs from before they existed.
   */
  acceptance?: string[];
  /** sha256 (hex) of the canonical JSON of `stages`: tells `flux init` whether the plan changed. */
  hash: string;
}
