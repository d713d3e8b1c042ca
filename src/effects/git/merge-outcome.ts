/** What landing a branch comes to, and what it is asked (see merge.ts). */

export type MergeOutcome =
  | { kind: 'merged'; commit: string; notes: string[] }
  /** The branch's head was in the base already: `commit` is where it arrived on the first-parent line. */
  | { kind: 'already-merged'; commit: string; notes: string[] }
  | { kind: 'conflict'; conflicts: string[]; notes: string[] }
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
}
