/**
 * Lock files git leaves behind when it is killed (`index.lock`, `HEAD.lock`,
 * a ref's `.lock`): every later git command in that worktree refuses until
 * the file goes. Before a merge Flux looks for them. One is stale when no
 * git process works in that worktree (on Linux, read from /proc: a process
 * named git whose working directory is inside it); a stale one is removed
 * and said so, a live one (a person's `git commit` waiting for its editor)
 * is reported with its path and never touched.
 */
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { WORK_DIR_NAME, WORKTREES_DIR_NAME } from '../../paths.js';
import { gitOutput } from './run.js';

/** A lock younger than this may belong to a git that is just starting. */
const FRESH_LOCK_MS = 1_000;

export interface GitLock {
  path: string;
  /** The worktree whose git commands it blocks. */
  worktree: string;
}

/** A worktree's own git folder (its index, HEAD, MERGE_HEAD) and the repository's common one (refs). */
export async function gitDirsOf(worktree: string): Promise<{ gitDir: string; common: string }> {
  const [gitDir, commonDir] = (
    await gitOutput(['rev-parse', '--absolute-git-dir', '--git-common-dir'], { cwd: worktree })
  ).split('\n');
  return { gitDir: gitDir!, common: path.resolve(worktree, commonDir ?? gitDir!) };
}

/** The lock files that would block a merge in `worktree` (its index and HEAD) or an update of `refs`. */
export async function lockFilesFor(
  worktree: string,
  refs: readonly string[] = [],
  dirs?: { gitDir: string; common: string },
): Promise<GitLock[]> {
  const { gitDir, common } = dirs ?? (await gitDirsOf(worktree));
  const candidates = [
    path.join(gitDir, 'index.lock'),
    path.join(gitDir, 'HEAD.lock'),
    ...refs.map((ref) => path.join(common, `${ref}.lock`)),
  ];
  return candidates.filter((file) => exists(file)).map((file) => ({ path: file, worktree }));
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a git process may be working in `worktree` now: one named git
 * whose working directory is the worktree or inside it (stage worktrees and
 * `.work` below the main worktree are other worktrees). Null when this
 * system cannot say (no /proc).
 */
export function gitRunsIn(worktree: string): boolean | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const own = new Set([WORKTREES_DIR_NAME, WORK_DIR_NAME].map((dir) => path.join(worktree, dir)));
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'git') continue;
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd !== worktree && !cwd.startsWith(`${worktree}/`)) continue;
      if ([...own].some((dir) => cwd === dir || cwd.startsWith(`${dir}/`))) continue;
      return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

export type LockVerdict = { stale: true } | { stale: false; why: string };

/** Stale: old enough, and no git runs where it blocks. */
export function judgeLock(lock: GitLock, now = Date.now()): LockVerdict {
  let age: number;
  try {
    age = now - statSync(lock.path).mtimeMs;
  } catch {
    return { stale: true };
  }
  if (age < FRESH_LOCK_MS) return { stale: false, why: 'it was made a moment ago' };
  const running = gitRunsIn(lock.worktree);
  if (running === null)
    return { stale: false, why: 'this system cannot tell whether a git command holds it' };
  if (running) return { stale: false, why: `a git command is running in ${lock.worktree}` };
  return { stale: true };
}

/**
 * Removes the stale locks among `locks` (returning their paths) and returns
 * the live ones with why they are taken to be live.
 */
export function clearStaleLocks(locks: readonly GitLock[]): {
  removed: string[];
  live: Array<GitLock & { why: string }>;
} {
  const removed: string[] = [];
  const live: Array<GitLock & { why: string }> = [];
  for (const lock of locks) {
    const verdict = judgeLock(lock);
    if (verdict.stale) {
      rmSync(lock.path, { force: true });
      removed.push(lock.path);
    } else {
      live.push({ ...lock, why: verdict.why });
    }
  }
  return { removed, live };
}
