/** What landing a branch comes to, and what it is asked (see merge.ts). */
import type { AcceptanceResult } from '../../log/events.js';

export type MergeOutcome =
  | { kind: 'merged'; commit: string; notes: string[] }
  /** The branch's head was in the base already: `commit` is where it arrived on the first-parent line. */
  | { kind: 'already-merged'; commit: string; notes: string[] }
  /** `head`: the branch's head that was tried (the resolution starts from it). */
  | { kind: 'conflict'; conflicts: string[]; head?: string; notes: string[] }
  /** The merge commit was built, and the checks failed on its tree: the base did not move. */
  | {
      kind: 'checks-failed';
      commit: string;
      head: string;
      base: string;
      results: AcceptanceResult[];
      notes: string[];
    }
  /** Nothing moved: `reason` says why, `hint` what a person does about it. */
  | { kind: 'refused'; reason: string; hint: string; notes: string[] };

export interface MergeRequest {
  branch: string;
  base: string;
  message: string;
  /** Names the in-flight ref (`refs/flux/merging/<key>`): the stage id. */
  key: string;
  /** Flux's integration worktree (created when missing), where merges are built on a git before 2.38. */
  integration: string;
  /** `worktree` builds in the integration worktree even where git can build without one (tests). */
  builder?: 'tree' | 'worktree';
  /**
   * The checks of the merge queue: called with the merge commit checked out
   * (detached, clean) in the integration worktree and the base commit it was
   * built on, before anything is kept or
   * moved. The base moves only when it passes; without it, nothing is checked.
   */
  check?: (commit: string, dir: string, base: string) => Promise<CheckVerdict>;
}

export type CheckVerdict = { passed: true } | { passed: false; results: AcceptanceResult[] };
