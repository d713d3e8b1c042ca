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
 * 3. With checks (the merge queue's), the commit is checked out in the
 *    integration worktree and checked there; only a commit that passed is
 *    kept and landed, so the base's first-parent line holds checked merges.
 * 4. The commit about to land is kept in `refs/flux/merging/<name>`; then the
 *    base moves to it by fast-forward only: `git merge --ff-only` where the
 *    base is checked out (git refuses rather than overwrite local changes),
 *    `git update-ref` with the old value (compare-and-swap) where it is not.
 * 5. A fast-forward killed halfway leaves some files at the new commit's
 *    content: found through that ref, checked to be Flux's own bytes, put
 *    back, and the fast-forward done again.
 */ import { MERGING_REF_PREFIX } from '../../paths.js';
import { canonicalPath } from './files.js';
import { gitFastForward } from './fast-forward.js';
import { gitMergeBuilds } from './merge-build.js';
import type { MergeOutcome, MergeRequest } from './merge-outcome.js';
import type { GitQueries } from './queries.js';
import { assertRefName, gitOutput, gitTest, lines, runGit } from './run.js';

export type { CheckVerdict, MergeOutcome, MergeRequest } from './merge-outcome.js';

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
  const { build, removeIntegration, resetIntegration } = gitMergeBuilds(q);
  const { advance } = gitFastForward(q);

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

  async function merge(request: MergeRequest): Promise<MergeOutcome> {
    const { branch, base, key } = request;
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    const integration = await canonicalPath(request.integration);
    const req = { ...request, integration };
    const pendingRef = `${MERGING_REF_PREFIX}${key}`;
    const notes: string[] = [];
    // The branch, the base and a pending merge's ref in one call: this runs on every landing.
    const readRefs = async () => {
      const wanted = [`refs/heads/${branch}`, `refs/heads/${base}`, pendingRef];
      const found = new Map(
        lines(await gitOutput(['for-each-ref', '--format=%(refname) %(objectname)', ...wanted], at())).map(
          (line) => line.split(' ') as [string, string],
        ),
      );
      return wanted.map((ref) => found.get(ref) ?? null) as [string | null, string | null, string | null];
    };
    const [head, firstOld, firstPending] = await readRefs();
    let [old, pending] = [firstOld, firstPending];
    if (head === null) {
      return {
        kind: 'refused',
        reason: `there is no branch ${branch}`,
        hint: 'see `flux merge --help`',
        notes,
      };
    }
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) [, old, pending] = await readRefs();
      // No base branch: git's own error, as when it was asked alone.
      if (old === null) old = await rev(`refs/heads/${base}`);
      if (await gitTest(['merge-base', '--is-ancestor', head, old], at())) {
        await runGit(['update-ref', '-d', pendingRef], at());
        return { kind: 'already-merged', commit: await arrivalOf(head, old), notes };
      }
      // A merge that was killed after building its commit: land that same commit.
      let target: string;
      const resumed =
        pending !== null && (await rev(`${pending}^1`)) === old && (await isAncestorOf(head, pending));
      if (resumed) {
        target = pending!;
      } else {
        const built = await build(req, old, head, notes);
        if (!('commit' in built)) return built;
        target = built.commit;
        if (request.check !== undefined) {
          // Killed while checking: no ref names the commit, so the next merge builds and checks again.
          await resetIntegration(integration, target, notes);
          const verdict = await request.check(target, integration, old);
          if (!verdict.passed)
            return {
              kind: 'checks-failed',
              commit: target,
              head,
              base: old,
              results: verdict.results,
              notes,
            };
        }
        // Only now, checked, is it the commit about to land.
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

  return { merge, pendingMerge, arrivalOf, removeIntegration };
}
