/**
 * Building the merge commit of a branch into the base's tip without touching
 * anyone's checkout: in memory, or on a git before 2.38 in Flux's own
 * integration worktree (and removing that worktree when nothing is left to merge).
 */
import { rm } from 'node:fs/promises';
import { toolFailure } from '../exec.js';
import { canonicalPath, pathExists } from './files.js';
import { clearStaleLocks, lockFilesFor } from './locks.js';
import type { MergeOutcome, MergeRequest } from './merge-outcome.js';
import { parseMergeTree } from './parse.js';
import type { GitQueries } from './queries.js';
import { gitOutput, runGit, splitNul } from './run.js';

export function gitMergeBuilds(q: GitQueries) {
  const { root } = q;
  const at = (dir: string = root) => ({ cwd: dir });
  const rev = (spec: string, dir?: string) => gitOutput(['rev-parse', '--verify', '--quiet', spec], at(dir));

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
    // Ignored files too (build output of the last check): each check starts from the commit alone.
    await gitOutput(['clean', '-ffdxq'], at(integration));
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
      return { kind: 'conflict', conflicts, head, notes };
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
    if (conflicts.length > 0) return { kind: 'conflict', conflicts, head: await rev(branch), notes };
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

  /** Removes the integration worktree (Flux's own: nothing in it is anyone's work). */
  async function removeIntegration(integration: string): Promise<void> {
    const target = await canonicalPath(integration);
    if ((await q.listWorktrees()).some((w) => w.path === target))
      await gitOutput(['worktree', 'remove', '--force', '--force', target], at());
    await rm(target, { recursive: true, force: true });
    await gitOutput(['worktree', 'prune'], at());
  }

  return { build, removeIntegration, resetIntegration };
}
