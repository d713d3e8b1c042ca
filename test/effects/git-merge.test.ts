import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createGit,
  type AddWorktreeResult,
  type CheckVerdict,
  type Git,
  type MergeOutcome,
  type MergeRequest,
} from '../../src/effects/git.js';
import { waitFor } from '../helpers/wait.js';
import { isolateGitConfig, tempRepo, type TempRepo } from '../helpers/temp-repo.js';

beforeAll(isolateGitConfig);

let repo: TempRepo;
let git: Git;
let worktree: AddWorktreeResult;
const stage = { path: '.worktrees/stage-1', branch: 'flux/stage-1', base: 'main' };

beforeEach(async () => {
  repo = await tempRepo();
  await repo.commit('shared file', { 'shared.txt': 'one\ntwo\nthree\n' });
  git = createGit(repo.root);
  worktree = await git.addWorktree(stage);
});

afterEach(async () => {
  await repo.cleanup();
});

/** The stage edits shared.txt; `mainEdit` makes main edit the same line (a conflict) or another file. */
async function diverge(mainEdit: 'same line' | 'other file'): Promise<void> {
  await repo.commit(
    'stage edits two',
    { 'shared.txt': 'one\nTWO (stage)\nthree\n', 'new.txt': 'x\n' },
    worktree.path,
  );
  if (mainEdit === 'same line')
    await repo.commit('main edits two', { 'shared.txt': 'one\nTWO (main)\nthree\n' });
  else await repo.commit('main adds docs', { 'docs.md': 'docs\n' });
}

describe('predictMerge', () => {
  it('predicts a clean merge without touching the worktree', async () => {
    await diverge('other file');
    const head = await git.headCommit();
    expect(await git.predictMerge('main', stage.branch)).toEqual({
      clean: true,
      conflicts: [],
      messages: [],
    });
    expect(await git.headCommit()).toBe(head);
    expect(await git.isClean()).toBe(true);
  });

  it('predicts the conflicting files', async () => {
    await diverge('same line');
    const prediction = await git.predictMerge('main', stage.branch);
    expect(prediction.clean).toBe(false);
    expect(prediction.conflicts).toEqual(['shared.txt']);
    expect(prediction.messages.join('\n')).toContain('Merge conflict in shared.txt');
    expect(await git.isClean()).toBe(true);
  });
});

const INTEGRATION = () => path.join(repo.root, '.work', 'integration');

function land(message = 'Merge stage-1', builder?: 'tree' | 'worktree'): Promise<MergeOutcome> {
  return git.merge({
    branch: stage.branch,
    base: 'main',
    message,
    key: 'stage-1',
    integration: INTEGRATION(),
    ...(builder === undefined ? {} : { builder }),
  });
}

/** Every commit on main's first-parent line, newest first. */
async function firstParents(): Promise<string[]> {
  return (await repo.git(['rev-list', '--first-parent', 'main'])).split('\n');
}

describe('merge: built in the integration worktree, then a fast-forward of the base', () => {
  it('merges with --no-ff, moves main and its checkout, and returns the merge commit', async () => {
    await diverge('other file');
    const result = await land();
    expect(result).toMatchObject({ kind: 'merged' });
    const commit = result.kind === 'merged' ? result.commit : '';
    expect(commit).toBe(await repo.git(['rev-parse', 'main']));
    expect(await repo.git(['log', '-1', '--format=%s', commit])).toBe('Merge stage-1');
    // Two parents even where a fast-forward was possible; the first is main as it was.
    expect((await repo.git(['rev-list', '--parents', '-n', '1', commit])).split(' ')).toHaveLength(3);
    // The person's checkout shows the merge, and nothing is left uncommitted.
    expect(readFileSync(path.join(repo.root, 'new.txt'), 'utf8')).toBe('x\n');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(await git.isMerged(stage.branch, 'main')).toBe(true);
    // No in-flight record is left.
    expect(await git.pendingMerge('stage-1')).toBeNull();
  });

  it('is idempotent: a second merge finds the first one and makes nothing new', async () => {
    await repo.commit('stage work', { 'work.txt': 'x\n' }, worktree.path);
    const first = await land();
    const again = await land();
    expect(again).toEqual({
      kind: 'already-merged',
      commit: first.kind === 'merged' ? first.commit : '?',
      notes: [],
    });
    expect(await firstParents()).toHaveLength(3);
  });

  it('finds a merge a person made by hand, on the first-parent line (not "HEAD now")', async () => {
    await diverge('other file');
    await repo.git(['merge', '--no-ff', '--no-edit', '-m', 'by hand', stage.branch]);
    const byHand = await repo.git(['rev-parse', 'HEAD']);
    await repo.commit('later work on main', { 'later.txt': 'later\n' });
    expect(await land()).toEqual({ kind: 'already-merged', commit: byHand, notes: [] });
  });

  it('a branch whose head is on the base line arrived as itself', async () => {
    const head = await repo.git(['rev-parse', stage.branch]);
    await repo.commit('main moves on', { 'on.txt': '1\n' });
    expect(await land()).toEqual({ kind: 'already-merged', commit: head, notes: [] });
  });

  it('a conflict leaves main, its checkout, the branch and the worktree as they were', async () => {
    await diverge('same line');
    const before = await git.headCommit();
    const branchHead = await repo.git(['rev-parse', stage.branch]);
    // The head that was tried comes back: a resolution's changes are what follows it.
    expect(await land()).toEqual({
      kind: 'conflict',
      conflicts: ['shared.txt'],
      head: branchHead,
      notes: [],
    });
    expect(await git.headCommit()).toBe(before);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    await expect(repo.git(['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'])).rejects.toThrow();
    expect(await repo.git(['rev-parse', stage.branch])).toBe(branchHead);
    expect((await lstat(worktree.path)).isDirectory()).toBe(true);
    // Built in memory: no worktree was made for it.
    expect(existsSync(INTEGRATION())).toBe(false);
  });

  it("refuses when a person's uncommitted change touches a file the merge changes, and keeps it", async () => {
    await diverge('other file');
    await repo.write('shared.txt', 'local edit\n');
    const before = await git.headCommit();
    const result = await land();
    expect(result.kind).toBe('refused');
    expect(result.kind === 'refused' && result.reason).toContain(
      'would be overwritten by the merge: shared.txt; main was not moved',
    );
    expect(await git.headCommit()).toBe(before);
    expect(readFileSync(path.join(repo.root, 'shared.txt'), 'utf8')).toBe('local edit\n');
    expect(await git.isMerged(stage.branch, 'main')).toBe(false);
  });

  it('merges past uncommitted and untracked changes elsewhere, and keeps them', async () => {
    await diverge('other file');
    await repo.write('README.md', 'my edit\n');
    await repo.write('scratch.txt', 'mine\n');
    expect((await land()).kind).toBe('merged');
    expect(readFileSync(path.join(repo.root, 'README.md'), 'utf8')).toBe('my edit\n');
    expect(readFileSync(path.join(repo.root, 'scratch.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(repo.root, 'new.txt'))).toBe(true);
  });

  it("refuses when an untracked file of the person's is where the merge adds one", async () => {
    await diverge('other file');
    await repo.write('new.txt', 'mine\n');
    const result = await land();
    expect(result.kind).toBe('refused');
    expect(result.kind === 'refused' && result.reason).toContain('new.txt');
    expect(readFileSync(path.join(repo.root, 'new.txt'), 'utf8')).toBe('mine\n');
  });

  it('moves main by compare-and-swap when the main worktree is on another branch', async () => {
    await diverge('other file');
    await repo.git(['checkout', '--quiet', '-b', 'feature']);
    const result = await land();
    expect(result.kind).toBe('merged');
    expect(await repo.git(['rev-parse', 'main'])).toBe(result.kind === 'merged' ? result.commit : '');
    expect(await repo.git(['symbolic-ref', '--short', 'HEAD'])).toBe('feature');
    expect(existsSync(path.join(repo.root, 'new.txt'))).toBe(false);
  });

  it('refuses while the main worktree is in the middle of a merge of its own', async () => {
    await diverge('other file');
    await repo.git(['checkout', '--quiet', '-b', 'side']);
    await repo.commit('side edits', { 'README.md': 'side\n' });
    await repo.git(['checkout', '--quiet', 'main']);
    await repo.commit('main edits', { 'README.md': 'main\n' });
    await repo.git(['merge', 'side']).catch(() => undefined);
    const result = await land();
    expect(result.kind === 'refused' && result.reason).toContain('in the middle of a merge of its own');
  });

  it('builds in memory: no checkout is touched, and git merge hooks do not run', async () => {
    await diverge('other file');
    const hook = path.join(repo.root, '.git', 'hooks', 'pre-merge-commit');
    writeFileSync(hook, '#!/bin/sh\necho "policy says no" >&2\nexit 1\n', { mode: 0o755 });
    const result = await land();
    expect(result.kind).toBe('merged');
    expect(existsSync(INTEGRATION())).toBe(false);
  });

  it('built in the integration worktree (a git before 2.38), a conflict leaves it clean again', async () => {
    await diverge('same line');
    expect(await land('Merge stage-1', 'worktree')).toEqual({
      kind: 'conflict',
      conflicts: ['shared.txt'],
      head: await repo.git(['rev-parse', stage.branch]),
      notes: [],
    });
    expect(await repo.git(['status', '--porcelain'], INTEGRATION())).toBe('');
  });

  it('built in the integration worktree, a pre-merge-commit hook that refuses is reported with its words', async () => {
    await diverge('other file');
    const hook = path.join(repo.root, '.git', 'hooks', 'pre-merge-commit');
    writeFileSync(hook, '#!/bin/sh\necho "policy says no" >&2\nexit 1\n', { mode: 0o755 });
    const before = await git.headCommit();
    const result = await land('Merge stage-1', 'worktree');
    expect(result.kind).toBe('refused');
    expect(result.kind === 'refused' && result.reason).toContain('policy says no');
    expect(await git.headCommit()).toBe(before);
  });
});

describe('merge: checked in the integration worktree before the base moves', () => {
  /** A check that runs `sh -c command` in the integration worktree and records what it saw. */
  function checking(command: (dir: string) => boolean) {
    const seen: Array<{ commit: string; dir: string; base: string; head: string; clean: boolean }> = [];
    const check = async (commit: string, dir: string, base: string): Promise<CheckVerdict> => {
      seen.push({
        commit,
        dir,
        base,
        head: await repo.git(['rev-parse', 'HEAD'], dir),
        clean: (await repo.git(['status', '--porcelain', '--ignored'], dir)) === '',
      });
      if (command(dir)) return { passed: true };
      return {
        passed: false,
        results: [
          { command: 'check', exit_code: 1, timed_out: false, duration_ms: 1, output_tail: 'broken\n' },
        ],
      };
    };
    return { seen, check };
  }

  function landChecked(check: MergeRequest['check']): Promise<MergeOutcome> {
    return git.merge({
      branch: stage.branch,
      base: 'main',
      message: 'Merge stage-1',
      key: 'stage-1',
      integration: INTEGRATION(),
      ...(check === undefined ? {} : { check }),
    });
  }

  it('checks the exact merge commit, checked out clean, then lands that commit', async () => {
    await diverge('other file');
    const before = await git.headCommit();
    const { seen, check } = checking(
      (dir) => existsSync(path.join(dir, 'docs.md')) && existsSync(path.join(dir, 'new.txt')),
    );
    const outcome = await landChecked(check);
    expect(outcome.kind).toBe('merged');
    const commit = (outcome as { commit: string }).commit;
    expect(seen).toEqual([{ commit, dir: INTEGRATION(), base: before, head: commit, clean: true }]);
    expect(await git.headCommit()).toBe(commit);
    expect(await repo.git(['rev-parse', `${commit}^1`])).toBe(before);
  });

  it('failing checks leave main, its checkout, the branch and no ref of the commit', async () => {
    await diverge('other file');
    const before = await git.headCommit();
    const branchHead = await repo.git(['rev-parse', stage.branch]);
    const { seen, check } = checking(() => false);
    const outcome = await landChecked(check);
    expect(outcome).toEqual({
      kind: 'checks-failed',
      commit: seen[0]!.commit,
      head: branchHead,
      base: before,
      results: [expect.objectContaining({ command: 'check', output_tail: 'broken\n' })],
      notes: [],
    });
    expect(await git.headCommit()).toBe(before);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(await repo.git(['rev-parse', stage.branch])).toBe(branchHead);
    expect((await lstat(worktree.path)).isDirectory()).toBe(true);
    expect(await git.pendingMerge('stage-1')).toBeNull();
  });

  it('the integration worktree is reset between checks: what a check left there is gone', async () => {
    await diverge('other file');
    const litter = () => writeFileSync(path.join(INTEGRATION(), 'left-by-check.txt'), 'x\n');
    const first = checking(() => (litter(), false));
    await landChecked(first.check);
    const second = checking((dir) => !existsSync(path.join(dir, 'left-by-check.txt')));
    expect((await landChecked(second.check)).kind).toBe('merged');
    expect(second.seen[0]!.clean).toBe(true);
  });

  it('a merge killed while checking (no in-flight ref yet) is built and checked again, never landed unchecked', async () => {
    await diverge('other file');
    const before = await git.headCommit();
    // The check "dies": the merge throws out of it, as a killed process would stop there.
    await expect(
      landChecked(async () => {
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(await git.headCommit()).toBe(before);
    expect(await git.pendingMerge('stage-1')).toBeNull();
    const { seen, check } = checking(() => true);
    const outcome = await landChecked(check);
    expect(outcome.kind).toBe('merged');
    expect(seen).toHaveLength(1);
  });

  it('a conflict is found before any check runs', async () => {
    await diverge('same line');
    const { seen, check } = checking(() => true);
    expect((await landChecked(check)).kind).toBe('conflict');
    expect(seen).toEqual([]);
  });
});

describe('merge: what killed git commands leave behind', () => {
  function age(file: string): void {
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
  }

  it('removes a stale index.lock in the main worktree, says so, and merges', async () => {
    await diverge('other file');
    const lock = path.join(repo.root, '.git', 'index.lock');
    writeFileSync(lock, '');
    age(lock);
    const result = await land();
    expect(result.kind).toBe('merged');
    expect(result.notes).toEqual([`removed ${lock}, left by a git command that was killed`]);
    expect(existsSync(lock)).toBe(false);
  });

  it('reports a lock a running git holds, with its path, and leaves it alone', async () => {
    await diverge('other file');
    // A git command at work in the main worktree (a stand-in process named git, whose
    // working directory is there) while its lock file exists.
    const bin = path.join(repo.root, '.git', 'stand-in');
    mkdirSync(bin);
    copyFileSync('/bin/sleep', path.join(bin, 'git'));
    const running = spawn(path.join(bin, 'git'), ['30'], { cwd: repo.root, stdio: 'ignore' });
    const lock = path.join(repo.root, '.git', 'index.lock');
    writeFileSync(lock, '');
    try {
      await waitFor(
        () => (readFileSync(`/proc/${running.pid}/comm`, 'utf8').trim() === 'git' ? true : undefined),
        {
          what: 'the stand-in git to run',
        },
      );
      age(lock);
      const result = await land();
      expect(result.kind).toBe('refused');
      expect(result.kind === 'refused' && result.reason).toBe(
        `git's lock file ${lock} exists (a git command is running in ${repo.root})`,
      );
      expect(existsSync(lock)).toBe(true);
    } finally {
      running.kill('SIGKILL');
    }
  });

  it('a merge killed in the integration worktree (locks, conflict state) is cleared by the next', async () => {
    await diverge('other file');
    await land('Merge stage-1', 'worktree').then(async () => {
      // Make a second change to merge, then wreck the integration worktree the way a kill would.
      await repo.commit('more stage work', { 'more.txt': 'm\n' }, worktree.path);
    });
    const integration = INTEGRATION();
    writeFileSync(path.join(integration, 'new.txt'), 'half-written\n');
    writeFileSync(path.join(integration, 'stray.txt'), 'stray\n');
    const gitDir = await repo.git(['rev-parse', '--absolute-git-dir'], integration);
    writeFileSync(path.join(gitDir, 'index.lock'), '');
    age(path.join(gitDir, 'index.lock'));
    const result = await land('Merge stage-1', 'worktree');
    expect(result.kind).toBe('merged');
    expect(readFileSync(path.join(repo.root, 'more.txt'), 'utf8')).toBe('m\n');
    expect(readFileSync(path.join(repo.root, 'new.txt'), 'utf8')).toBe('x\n');
  });

  it('finishes a fast-forward killed halfway: files of the new commit put back, then landed', async () => {
    await diverge('other file');
    // What a killed `git merge --ff-only` leaves: the in-flight ref, some files written, a lock.
    const old = await repo.git(['rev-parse', 'main']);
    const integration = INTEGRATION();
    await repo.git(['worktree', 'add', '--detach', '--quiet', integration, old]);
    await repo.git(['merge', '--no-ff', '--no-edit', '-m', 'Merge stage-1', stage.branch], integration);
    const built = await repo.git(['rev-parse', 'HEAD'], integration);
    await repo.git(['update-ref', 'refs/flux/merging/stage-1', built]);
    writeFileSync(path.join(repo.root, 'shared.txt'), 'one\nTWO (stage)\nthree\n');
    writeFileSync(path.join(repo.root, 'new.txt'), 'x\n');
    const lock = path.join(repo.root, '.git', 'index.lock');
    writeFileSync(lock, '');
    age(lock);
    const result = await land();
    expect(result).toMatchObject({ kind: 'merged', commit: built });
    expect(result.notes).toContain(`removed ${lock}, left by a git command that was killed`);
    expect(
      result.notes.some((n) => /^put back (new\.txt, shared\.txt|shared\.txt, new\.txt) in /.test(n)),
    ).toBe(true);
    expect(await repo.git(['rev-parse', 'main'])).toBe(built);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });

  it('a half-done fast-forward over a file a person then edited is refused, the edit kept', async () => {
    await diverge('other file');
    const old = await repo.git(['rev-parse', 'main']);
    const integration = INTEGRATION();
    await repo.git(['worktree', 'add', '--detach', '--quiet', integration, old]);
    await repo.git(['merge', '--no-ff', '--no-edit', '-m', 'Merge stage-1', stage.branch], integration);
    await repo.git([
      'update-ref',
      'refs/flux/merging/stage-1',
      await repo.git(['rev-parse', 'HEAD'], integration),
    ]);
    writeFileSync(path.join(repo.root, 'new.txt'), 'x\n');
    writeFileSync(path.join(repo.root, 'shared.txt'), 'a person typed this\n');
    const result = await land();
    expect(result.kind).toBe('refused');
    expect(result.kind === 'refused' && result.reason).toContain('shared.txt');
    expect(readFileSync(path.join(repo.root, 'shared.txt'), 'utf8')).toBe('a person typed this\n');
    expect(await repo.git(['rev-parse', 'main'])).toBe(old);
  });
});
