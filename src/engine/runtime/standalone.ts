/**
 * Git and tmux for the commands that have no Runtime: before a workspace
 * exists (`flux init`, a first `flux task run`, `flux demo`, `flux skill
 * install`), or where a broken config must not stop them (`flux status`).
 */
import { createGit, findMainWorktree } from '../../effects/git.js';
import { createTmux } from '../../effects/tmux.js';
import { RefusedError } from '../../errors.js';
import { STAGE_BRANCH_PREFIX } from '../../paths.js';
import type { FluxState } from '../state.js';

/** The main worktree of the repository around `cwd`; ExternalError (exit 5) outside a repository. */
export function findRepository(cwd: string): Promise<string> {
  return findMainWorktree(cwd);
}

/** The branch checked out in the main worktree; null on a detached HEAD. */
export function currentBranch(root: string): Promise<string | null> {
  return createGit(root).currentBranch();
}

/**
 * What a task forks from: the current branch, or HEAD's commit on a
 * detached HEAD. Refused when the repository has no commit yet.
 */
export async function forkPoint(root: string): Promise<{ branch: string | null; base: string }> {
  const git = createGit(root);
  const branch = await git.currentBranch();
  const head = await git.headCommit().catch(() => {
    throw new RefusedError(
      `the repository at ${root} has no commits yet`,
      'make a first commit (a task forks from it), then run `flux task run` again',
    );
  });
  return { branch, base: branch ?? head };
}

/** Keeps Flux's own files (`.work/`, `.worktrees/`) out of `git status` (`.git/info/exclude`). */
export async function excludeFluxFiles(root: string): Promise<void> {
  await createGit(root).ensureExcluded();
}

/** Stages waiting to be merged whose branch would conflict with the base, predicted with `git merge-tree`. */
export async function predictedConflicts(root: string, state: FluxState): Promise<Record<string, string[]>> {
  const waiting = state.order.filter((id) => ['completed', 'verified'].includes(state.stages[id]!.status));
  const base = state.baseBranch;
  if (waiting.length === 0 || base === null) return {};
  const git = createGit(root);
  const conflicts: Record<string, string[]> = {};
  for (const id of waiting) {
    const branch = `${STAGE_BRANCH_PREFIX}${id}`;
    const prediction = await git.predictMerge(base, branch).catch(() => undefined);
    if (prediction?.clean === false) conflicts[id] = prediction.conflicts;
  }
  return conflicts;
}

/** The tmux version; ExternalError (with how to install it) when tmux is missing or too old. */
export function checkTmux(socket?: string): Promise<string> {
  return createTmux(socket === undefined ? {} : { socket }).isInstalled();
}
