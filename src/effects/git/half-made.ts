/**
 * A `git worktree add` killed half-way. git marks its admin folder
 * (`<common dir>/worktrees/<name>/`) `locked` with the reason `initializing`
 * first and unlocks it last, so that mark means the add never finished. What
 * is left can be anything: HEAD still git's placeholder, the files not yet
 * checked out, or an admin file created but empty, which makes every
 * `git worktree list` fail. Nothing was worked on there (git had not
 * finished making it) and the branch holds every commit: both folders go,
 * and the worktree is made again.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { gitOutput } from './run.js';

const read = (file: string): Promise<string | null> => readFile(file, 'utf8').catch(() => null);

/** Removes a half-made add of `target` (an absolute, canonical path); true when there was one. */
export async function clearHalfMadeAdd(root: string, target: string): Promise<boolean> {
  const common = path.resolve(root, await gitOutput(['rev-parse', '--git-common-dir'], { cwd: root }));
  const admin = path.join(common, 'worktrees');
  const base = path.basename(target);
  let cleared = false;
  for (const name of await readdir(admin).catch(() => [] as string[])) {
    const dir = path.join(admin, name);
    if ((await read(path.join(dir, 'locked')))?.trim() !== 'initializing') continue;
    const gitdir = (await read(path.join(dir, 'gitdir')))?.trim() ?? '';
    // Its `gitdir` names the worktree's .git; before that is written, only its name says whose it is.
    const ours =
      gitdir === ''
        ? name === base || (name.startsWith(base) && /^\d+$/.test(name.slice(base.length)))
        : path.dirname(gitdir) === target;
    if (!ours) continue;
    await rm(dir, { recursive: true, force: true });
    await rm(target, { recursive: true, force: true });
    cleared = true;
  }
  return cleared;
}
