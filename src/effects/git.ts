/**
 * Git effects: worktrees for stages, their branches, and landing them on the
 * base. One object per repository, made of the parts in `git/`: `run` (how
 * git is called), `parse` (its porcelain), `queries` (what it says),
 * `worktree` (stage worktrees and branches), `merge` and `locks` (landing a
 * branch without ever leaving the base half-made; docs/effects.md).
 */
import { gitMerges } from './git/merge.js';
import { gitQueries } from './git/queries.js';
import { gitWorktrees } from './git/worktree.js';

export { findMainWorktree, findRepoRoot } from './git/queries.js';
export { FLUX_EXCLUDES } from './git/worktree.js';
export type { CheckVerdict, MergeOutcome, MergeRequest } from './git/merge.js';
export {
  parseBranchStatus,
  parseMergeTree,
  parseNumstat,
  parseStatus,
  parseWorktreeList,
  type AddWorktreeResult,
  type DiffStat,
  type FileStatus,
  type MergePrediction,
  type WorktreeInfo,
} from './git/parse.js';

export function createGit(repoRoot: string) {
  const queries = gitQueries(repoRoot);
  return { ...queries, ...gitWorktrees(queries), ...gitMerges(queries) };
}

export type Git = ReturnType<typeof createGit>;
