/**
 * The validated plan: what `parsePlan` returns and what `plan.initialized`
 * records in the event log. Field names follow the plan document (snake_case).
 */

export type Gate = 'human' | 'auto';

/**
 * What a stage (or the whole plan) may spend before it waits on a person
 * (docs/budgets.md): US dollars, minutes of its sessions' wall time, tokens.
 * Any of them; absent ones do not limit.
 */
export interface Budget {
  usd?: number | undefined;
  minutes?: number | undefined;
  tokens?: number | undefined;
}

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
  /** Shell commands run in each new worktree of the stage, after the plan's `setup`, before its agent starts. Absent when none. */
  setup?: string[] | undefined;
  /** Minutes the stage is expected to take: weights the scheduler's critical path (default 1). Absent when not given. */
  estimate?: number | undefined;
  /** Absent: the `[budget]` defaults of .work/config.toml apply. */
  budget?: Budget | undefined;
}

export interface Plan {
  /** The plan file, relative to the repository root, with `/` separators. */
  path: string;
  /** The document's first `# ` heading, without a leading `PLAN:`; the file name when there is none. */
  title: string;
  version: 1;
  /** Shell commands run in every new stage worktree before its agent starts (`flux: setup`). Absent when none. */
  setup?: string[] | undefined;
  /** In document order. */
  stages: StageDef[];
  /**
   * Plan-level checks (`flux: acceptance:`), run with each stage's own on the
   * merged tree before the base moves; absent when none (and in logs from before they existed).
   */
  acceptance?: string[];
  /** sha256 (hex) of the canonical JSON of `stages` (and `setup`, when there is one): tells `flux init` whether the plan changed. */
  hash: string;
  /** The plan-wide budget (`flux: budget:`): once reached, no new session starts. */
  budget?: Budget | undefined;
}
