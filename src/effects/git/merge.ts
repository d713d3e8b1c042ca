/**
 * Landing a branch on its base, so that no crash can leave the base broken
 * or half-made and no person's uncommitted work is touched:
 *
 * 1. Already there? If the branch's head is in the base, the merge happened
 *    (perhaps by a process that died before recording it): the commit that
 *    brought it is found on the base's first-parent line. Nothing is redone.
 * 2. The merge commit is built without touching any checkout: in memory
 *    (`git merge-tree --write-tree`, then `git commit-tree`), or, on a git
 *    before 2.38, in Flux's own integration worktree (detached, reset to the
 *    base's tip each time) — never in a person's checkout.
 * 3. The commit about to land is kept in `refs/flux/merging/<name>`; then the
 *    base moves to it by fast-forward only: `git merge --ff-only` where the
 *    base is checked out (git refuses rather than overwrite local changes),
 *    `git update-ref` with the old value (compare-and-swap) where it is not.
 * 4. A fast-forward killed halfway leaves some files at the new commit's
 *    content: found through that ref, checked to be Flux's own bytes, put
 *    back, and the fast-forward done again.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { MERGING_REF_PREFIX } from '../../paths.js';
import { toolFailure } from '../exec.js';
import { canonicalPath, isFluxPath, listFiles, pathExists } from './files.js';
import { clearStaleLocks, lockFilesFor } from './locks.js';
import { parseMergeTree, parseStatus } from './parse.js';
import type { GitQueries } from './queries.js';
import { assertRefName, gitOutput, gitTest, lines, runGit, splitNul } from './run.js';

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

/** How often the base may move under a merge (a person committing) before it gives up. */
const MAX_ATTEMPTS = 3;

export function gitMerges(q: GitQueries) {
  const { root } = q;
  const at = (dir: string = root) => ({ cwd: dir });
  const rev = (spec: string, dir?: string) => gitOutput(['rev-parse', '--verify', '--quiet', spec], at(dir));
  const tryRev = async (spec: string): Promise<string | null> => {
    const result = await runGit(['rev-parse', '--verify', '--quiet', `${spec}^{commit}`], at());
    return result.exitCode === 0 ? result.stdout : null;
  };

  /** The commit on `base`'s first-parent line that brought `head` in (head itself if it is on that line). */
  async function arrivalOf(head: string, base: string): Promise<string> {
    const descendants = lines(
      await gitOutput(['rev-list', '--first-parent', '--ancestry-path', `${head}..${base}`], at()),
    );
    const first = descendants.at(-1);
    // On the first-parent line itself (a fast-forward, or a branch with no commits of its own).
    if (first === undefined || (await rev(`${first}^1`)) === head) return head;
    return first;
  }

  /** Where `base` is checked out (a worktree path), or null. */
  async function checkedOutAt(base: string, integration: string): Promise<string | null> {
    const worktrees = await q.listWorktrees();
    const found = worktrees.find((w) => w.branch === base && w.path !== integration && !w.prunable);
    return found?.path ?? null;
  }

  /** The integration worktree at `tip`, detached, with nothing left from an earlier (perhaps killed) merge. */
  async function resetIntegration(integration: string, tip: string, notes: string[]): Promise<void> {
    const registered = (await q.listWorktrees()).some((w) => w.path === integration && !w.prunable);
    if (!registered) {
      await gitOutput(['worktree', 'prune'], at());
      // A directory git does not know is what a killed `worktree add` leaves: it is Flux's own.
      if (await pathExists(integration)) await rm(integration, { recursive: true, force: true });
      await gitOutput(['worktree', 'add', '--detach', '--quiet', integration, tip], at());
      return;
    }
    // Flux's own worktree: any lock in it was left by a Flux merge that was killed.
    const { removed, live } = clearStaleLocks(await lockFilesFor(integration));
    for (const file of removed) notes.push(`removed ${file}, left by a git command that was killed`);
    if (live.length > 0) throw new Error(`git lock ${live[0]!.path} in the integration worktree is held`);
    await gitOutput(['reset', '--quiet', '--hard', tip], at(integration));
    await gitOutput(['checkout', '--quiet', '--detach', tip], at(integration));
    await gitOutput(['clean', '-ffdq'], at(integration));
  }

  /**
   * The merge commit of `head` into `tip`, made without any worktree:
   * `git merge-tree --write-tree` writes the merged tree (or names the
   * conflicts) and `git commit-tree` makes the commit — objects only, so a
   * crash here leaves nothing to undo. Git's merge hooks do not run (as in a
   * forge's server-side merge); the plan's acceptance is the gate.
   */
  async function buildInMemory(
    request: MergeRequest,
    tip: string,
    head: string,
    notes: string[],
  ): Promise<{ commit: string } | MergeOutcome | 'unsupported'> {
    const args = ['merge-tree', '--write-tree', '--name-only', '--messages', '-z', tip, head];
    const result = await runGit(args, { ...at(), raw: true });
    if (result.exitCode === 129) return 'unsupported';
    if (result.exitCode !== 0 && result.exitCode !== 1) throw toolFailure('git', args, result);
    const tree = result.stdout.split('\0')[0]!;
    if (result.exitCode === 1) {
      const conflicts = parseMergeTree(result.stdout, 1).conflicts;
      return { kind: 'conflict', conflicts, notes };
    }
    const commit = await gitOutput(['commit-tree', tree, '-p', tip, '-p', head, '-m', request.message], at());
    return { commit };
  }

  /** The same in Flux's integration worktree: for a git without `merge-tree --write-tree` (before 2.38). */
  async function buildInWorktree(
    request: MergeRequest,
    tip: string,
    notes: string[],
  ): Promise<{ commit: string } | MergeOutcome> {
    const { integration, branch, message } = request;
    await resetIntegration(integration, tip, notes);
    const args = ['merge', '--no-ff', '--no-edit', '-m', message, branch];
    const result = await runGit(args, at(integration));
    if (result.exitCode === 0) return { commit: await rev('HEAD', integration) };
    const conflicts = splitNul(
      await gitOutput(['diff', '--name-only', '-z', '--diff-filter=U'], { ...at(integration), raw: true }),
    );
    await gitOutput(['reset', '--quiet', '--hard', tip], at(integration));
    if (conflicts.length > 0) return { kind: 'conflict', conflicts, notes };
    // Stopped for another reason (a hook refused the merge commit).
    const failure = toolFailure('git', args, result);
    return {
      kind: 'refused',
      reason: `git did not make the merge commit: ${failure.message}`,
      hint: 'fix what git says (a hook that refused?), then merge again',
      notes,
    };
  }

  async function build(
    request: MergeRequest,
    tip: string,
    head: string,
    notes: string[],
  ): Promise<{ commit: string } | MergeOutcome> {
    if (request.builder !== 'worktree') {
      const built = await buildInMemory(request, tip, head, notes);
      if (built !== 'unsupported') return built;
    }
    return buildInWorktree(request, tip, notes);
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
    const { removed, live } = clearStaleLocks(await lockFilesFor(dir, [`refs/heads/${base}`]));
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
    if (await gitTest(['rev-parse', '--quiet', '--verify', 'MERGE_HEAD'], at(dir))) {
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

  async function merge(request: MergeRequest): Promise<MergeOutcome> {
    const { branch, base, key } = request;
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    const integration = await canonicalPath(request.integration);
    const req = { ...request, integration };
    const pendingRef = `${MERGING_REF_PREFIX}${key}`;
    const notes: string[] = [];
    const head = await tryRev(`refs/heads/${branch}`);
    if (head === null) {
      return {
        kind: 'refused',
        reason: `there is no branch ${branch}`,
        hint: 'see `flux merge --help`',
        notes,
      };
    }
    for (let attempt = 1; ; attempt++) {
      const old = await rev(`refs/heads/${base}`);
      if (await gitTest(['merge-base', '--is-ancestor', head, old], at())) {
        await runGit(['update-ref', '-d', pendingRef], at());
        return { kind: 'already-merged', commit: await arrivalOf(head, old), notes };
      }
      // A merge that was killed after building its commit: land that same commit.
      const pending = await tryRev(pendingRef);
      let target: string;
      const resumed =
        pending !== null && (await rev(`${pending}^1`)) === old && (await isAncestorOf(head, pending));
      if (resumed) {
        target = pending;
      } else {
        const built = await build(req, old, head, notes);
        if (!('commit' in built)) return built;
        target = built.commit;
        await gitOutput(['update-ref', pendingRef, target], at());
      }
      const advanced = await advance(req, old, target, notes, resumed);
      if (advanced === null) {
        await runGit(['update-ref', '-d', pendingRef], at());
        return { kind: 'merged', commit: target, notes };
      }
      if (advanced !== 'moved') return advanced;
      if (attempt >= MAX_ATTEMPTS) {
        return {
          kind: 'refused',
          reason: `${base} kept moving while Flux merged ${branch} (${MAX_ATTEMPTS} tries)`,
          hint: 'merge again when nobody is committing to it',
          notes,
        };
      }
    }
  }

  function isAncestorOf(commit: string, of: string): Promise<boolean> {
    return gitTest(['merge-base', '--is-ancestor', commit, of], at());
  }

  /** The merge under way for `key`, if a crash left one (for status and doctor). */
  async function pendingMerge(key: string): Promise<string | null> {
    return tryRev(`${MERGING_REF_PREFIX}${key}`);
  }

  /** Removes the integration worktree (Flux's own: nothing in it is anyone's work). */
  async function removeIntegration(integration: string): Promise<void> {
    const target = await canonicalPath(integration);
    if ((await q.listWorktrees()).some((w) => w.path === target))
      await gitOutput(['worktree', 'remove', '--force', '--force', target], at());
    await rm(target, { recursive: true, force: true });
    await gitOutput(['worktree', 'prune'], at());
  }

  return { merge, pendingMerge, arrivalOf, removeIntegration };
}
