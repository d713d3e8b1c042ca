/**
 * The git steps of an ad hoc task outside merging: committing or stashing
 * what its worktree holds at cleanup, undoing a `flux task run` that failed
 * part-way, and the facts `flux task status` shows.
 */
import { existsSync, rmSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { ExternalError } from '../errors.js';
import type { Git } from './git.js';
import { runGit } from './git/run.js';

async function git(args: readonly string[], cwd: string): Promise<string> {
  const result = await runGit(args, { cwd });
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
    throw new ExternalError(`git ${args.join(' ')} failed in ${cwd}: ${detail}`);
  }
  return result.stdout;
}

/** `git add -A` and a commit of everything uncommitted in the worktree; returns the commit. */
export async function commitEverything(worktree: string, message: string): Promise<string> {
  await git(['add', '-A'], worktree);
  await git(['commit', '--quiet', '-m', message], worktree);
  return git(['rev-parse', 'HEAD'], worktree);
}

/** Stashes everything uncommitted (untracked files too); returns the stash commit (stashes outlive worktrees). */
export async function stashEverything(worktree: string, message: string): Promise<string> {
  await git(['stash', 'push', '--quiet', '--include-untracked', '-m', message], worktree);
  return git(['rev-parse', 'stash@{0}'], worktree);
}

async function pathExists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/** What `flux task run` made: the worktree and the branch, and whether this run created each. */
export interface MadeWorktree {
  worktree: string;
  branch: string;
  base: string;
  path: boolean;
  branchMade: boolean;
}

/**
 * Undoes what `flux task run` made before it failed: the worktree (when this
 * run created the directory) and the branch (when this run created it and it
 * holds nothing but its base). Best effort: it never hides the first failure.
 */
export async function rollbackWorktree(git: Git, root: string, made: MadeWorktree): Promise<string[]> {
  const undone: string[] = [];
  if (made.path && (await pathExists(made.worktree))) {
    const removed = await runGit(['worktree', 'remove', '--force', made.worktree], { cwd: root });
    if (removed.exitCode !== 0) rmSync(made.worktree, { recursive: true, force: true });
    await runGit(['worktree', 'prune'], { cwd: root });
    undone.push(`removed ${made.worktree}`);
  }
  if (made.branchMade && (await git.branchExists(made.branch).catch(() => false))) {
    const ahead = await git.commitsAhead(made.branch, made.base).catch(() => ['?']);
    if (ahead.length === 0) {
      const deleted = await runGit(['branch', '-D', made.branch], { cwd: root });
      if (deleted.exitCode === 0) undone.push(`deleted branch ${made.branch}`);
    }
  }
  return undone;
}

/** A task's worktree and branch as git sees them. */
export interface WorktreeFacts {
  worktreeExists: boolean;
  /** Uncommitted files in the worktree. */
  dirty: string[];
  /** Commits on the branch that its base lacks, and the other way round; null when unknown. */
  ahead: number | null;
  behind: number | null;
  branchExists: boolean;
}

/** Uncommitted files, commits ahead of the base: what `flux task status` and `cleanup` look at. */
export async function worktreeFacts(
  git: Git,
  task: { worktree: string; branch: string; base: string },
): Promise<WorktreeFacts> {
  const worktreeExists = existsSync(task.worktree);
  const dirty = worktreeExists
    ? (await git.status(task.worktree).catch(() => [])).map((file) => file.path)
    : [];
  const branchExists = await git.branchExists(task.branch).catch(() => false);
  let ahead: number | null = null;
  let behind: number | null = null;
  if (branchExists) {
    const counts = await git.aheadBehind(task.branch, task.base).catch(() => null);
    if (counts !== null) ({ ahead, behind } = counts);
  }
  return { worktreeExists, dirty, ahead, behind, branchExists };
}
