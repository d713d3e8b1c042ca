import { lstat } from 'node:fs/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.js';
import { createGit, type AddWorktreeResult, type Git } from '../../src/effects/git.js';
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

describe('merge', () => {
  it('merges with --no-ff and returns the merge commit', async () => {
    await diverge('other file');
    const result = await git.merge({ branch: stage.branch, base: 'main', message: 'Merge stage-1' });
    expect(result).toMatchObject({ ok: true, alreadyMerged: false });
    const commit = result.ok ? result.commit : '';
    expect(commit).toBe(await repo.git(['rev-parse', 'main']));
    expect(await repo.git(['log', '-1', '--format=%s', commit])).toBe('Merge stage-1');
    // Two parents even where a fast-forward was possible.
    expect((await repo.git(['rev-list', '--parents', '-n', '1', commit])).split(' ')).toHaveLength(3);
    expect(await git.isMerged(stage.branch, 'main')).toBe(true);
  });

  it('makes a merge commit even when a fast-forward was possible, and is idempotent', async () => {
    await repo.commit('stage work', { 'work.txt': 'x\n' }, worktree.path);
    const first = await git.merge({ branch: stage.branch, base: 'main', message: 'Merge stage-1' });
    expect((await repo.git(['rev-list', '--parents', '-n', '1', 'main'])).split(' ')).toHaveLength(3);
    const again = await git.merge({ branch: stage.branch, base: 'main', message: 'Merge stage-1' });
    expect(again).toEqual({ ok: true, commit: first.ok ? first.commit : '', alreadyMerged: true });
  });

  it('aborts on conflict, lists the files, and keeps the branch and worktree', async () => {
    await diverge('same line');
    const before = await git.headCommit();
    const branchHead = await repo.git(['rev-parse', stage.branch]);
    const result = await git.merge({ branch: stage.branch, base: 'main', message: 'Merge stage-1' });
    expect(result).toEqual({ ok: false, conflicts: ['shared.txt'] });
    expect(await git.headCommit()).toBe(before);
    expect(await git.isClean()).toBe(true);
    await expect(repo.git(['rev-parse', '--verify', '--quiet', 'MERGE_HEAD'])).rejects.toThrow();
    expect(await repo.git(['rev-parse', stage.branch])).toBe(branchHead);
    expect((await lstat(worktree.path)).isDirectory()).toBe(true);
  });

  it('refuses when the main worktree has uncommitted changes, naming the files', async () => {
    await diverge('other file');
    await repo.write('shared.txt', 'local edit\n');
    const error = await git
      .merge({ branch: stage.branch, base: 'main', message: 'm' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).message).toContain('uncommitted changes: shared.txt');
    expect(await git.isMerged(stage.branch, 'main')).toBe(false);
  });

  it('is not stopped by an untracked file the merge does not touch', async () => {
    await diverge('other file');
    await repo.write('scratch.txt', 'mine\n');
    expect((await git.merge({ branch: stage.branch, base: 'main', message: 'm' })).ok).toBe(true);
  });

  it('refuses when the main worktree is on another branch, naming it', async () => {
    await diverge('other file');
    await repo.git(['checkout', '--quiet', '-b', 'feature']);
    const error = await git
      .merge({ branch: stage.branch, base: 'main', message: 'm' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).message).toContain("on branch 'feature', not 'main'");
  });
});
