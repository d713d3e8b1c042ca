/**
 * Moving the base to the merge commit by fast-forward only: `git merge
 * --ff-only` where the base is checked out (git refuses rather than
 * overwrite a person's changes), compare-and-swap where it is not; and
 * finishing one a crash left halfway, from Flux's own bytes only.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { toolFailure } from '../exec.js';
import { isFluxPath, listFiles, pathExists } from './files.js';
import { clearStaleLocks, gitDirsOf, lockFilesFor } from './locks.js';
import type { MergeOutcome, MergeRequest } from './merge-outcome.js';
import { parseStatus } from './parse.js';
import type { GitQueries } from './queries.js';
import { gitOutput, lines, runGit, splitNul } from './run.js';

export function gitFastForward(q: GitQueries) {
  const { root } = q;
  const at = (dir: string = root) => ({ cwd: dir });
  const rev = (spec: string, dir?: string) => gitOutput(['rev-parse', '--verify', '--quiet', spec], at(dir));

  /** Where `base` is checked out (a worktree path), or null. */
  async function checkedOutAt(base: string, integration: string): Promise<string | null> {
    const worktrees = await q.listWorktrees();
    const found = worktrees.find((w) => w.branch === base && w.path !== integration && !w.prunable);
    return found?.path ?? null;
  }

  /**
   * A fast-forward to `target` from `old` that was killed halfway leaves files
   * at `target`'s content in `dir`. Each such file must hold exactly the
   * bytes of `old` or of `target` (else a person changed it: refuse); then
   * they are put back as `old` has them, so the fast-forward can run again.
   */
  async function undoHalfFastForward(
    dir: string,
    old: string,
    target: string,
  ): Promise<{ undone: string[] } | { foreign: string[] }> {
    const changed = new Set(
      splitNul(
        await gitOutput(['diff', '--name-only', '-z', '--no-renames', old, target], {
          ...at(dir),
          raw: true,
        }),
      ),
    );
    const dirty = parseStatus(
      await gitOutput(['status', '--porcelain=v1', '-z', '--untracked-files=all'], { ...at(dir), raw: true }),
    )
      .map((file) => file.path)
      .filter((file) => changed.has(file) && !isFluxPath(file));
    if (dirty.length === 0) return { undone: [] };
    const blobOf = async (commit: string, file: string): Promise<string | null> => {
      const result = await runGit(['rev-parse', '--verify', '--quiet', `${commit}:${file}`], at(dir));
      return result.exitCode === 0 ? result.stdout : null;
    };
    const foreign: string[] = [];
    const inOld: string[] = [];
    const notInOld: string[] = [];
    for (const file of dirty) {
      const [before, after] = await Promise.all([blobOf(old, file), blobOf(target, file)]);
      const full = path.join(dir, file);
      const onDisk = (await pathExists(full)) ? await gitOutput(['hash-object', '--', file], at(dir)) : null;
      const staged =
        lines(await gitOutput(['ls-files', '--stage', '--', file], at(dir)))[0]?.split(' ')[1] ?? null;
      const ours = (blob: string | null) => blob === before || blob === after;
      if (!ours(onDisk) || !ours(staged)) foreign.push(file);
      else if (before !== null) inOld.push(file);
      else notInOld.push(file);
    }
    if (foreign.length > 0) return { foreign };
    if (inOld.length > 0) await gitOutput(['checkout', old, '--', ...inOld], at(dir));
    if (notInOld.length > 0) {
      await gitOutput(['rm', '--cached', '--quiet', '--ignore-unmatch', '--', ...notInOld], at(dir));
      for (const file of notInOld) await rm(path.join(dir, file), { force: true });
    }
    return { undone: [...inOld, ...notInOld] };
  }

  /** Moves `base` from `old` to `target` (a descendant); null when it moved, else why not. */
  async function advance(
    request: MergeRequest,
    old: string,
    target: string,
    notes: string[],
    resumed: boolean,
  ): Promise<null | 'moved' | MergeOutcome> {
    const { base } = request;
    const dir = await checkedOutAt(base, request.integration);
    if (dir === null) {
      const result = await runGit(['update-ref', `refs/heads/${base}`, target, old], at());
      return result.exitCode === 0 ? null : 'moved';
    }
    const dirs = await gitDirsOf(dir);
    const { removed, live } = clearStaleLocks(await lockFilesFor(dir, [`refs/heads/${base}`], dirs));
    for (const file of removed) notes.push(`removed ${file}, left by a git command that was killed`);
    if (live.length > 0) {
      const lock = live[0]!;
      return {
        kind: 'refused',
        reason: `git's lock file ${lock.path} exists (${lock.why})`,
        hint: `wait for that git command to finish; if none is running, remove the file (rm ${lock.path}) and merge again`,
        notes,
      };
    }
    // MERGE_HEAD is a file of the worktree's own git folder: no git call needed to see it.
    if (await pathExists(path.join(dirs.gitDir, 'MERGE_HEAD'))) {
      return {
        kind: 'refused',
        reason: `${dir} is in the middle of a merge of its own (MERGE_HEAD exists); ${base} was not moved`,
        hint: `finish it there (git commit) or abort it (git merge --abort), then merge again`,
        notes,
      };
    }
    // Only a commit a killed merge was landing can have left files halfway.
    const undone = resumed ? await undoHalfFastForward(dir, old, target) : { undone: [] };
    if ('foreign' in undone) {
      return {
        kind: 'refused',
        reason: `uncommitted changes in ${dir} to files the merge changes: ${listFiles(undone.foreign)}`,
        hint: `commit or stash them there (only your changes are in them), then merge again`,
        notes,
      };
    }
    if (undone.undone.length > 0)
      notes.push(`put back ${listFiles(undone.undone)} in ${dir}, left halfway by a killed merge`);
    const result = await runGit(['merge', '--ff-only', '--no-edit', target], at(dir));
    if (result.exitCode === 0) return null;
    if ((await rev(`refs/heads/${base}`)) !== old) return 'moved';
    const words = `${result.stderr}\n${result.stdout}`;
    const files = words
      .split('\n')
      .filter((line) => /^\t/.test(line))
      .map((line) => line.trim());
    return {
      kind: 'refused',
      reason:
        files.length > 0
          ? `uncommitted changes in ${dir} would be overwritten by the merge: ${listFiles(files)}; ${base} was not moved`
          : `git would not fast-forward ${base} in ${dir}: ${toolFailure('git', ['merge', '--ff-only', target], result).message}`,
      hint: `commit or stash your changes in ${dir}, then merge again`,
      notes,
    };
  }
  return { advance };
}
