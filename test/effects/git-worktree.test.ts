import { lstat, readlink, realpath, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.js';
import { createGit, type Git } from '../../src/effects/git.js';
import { isolateGitConfig, tempRepo, type TempRepo } from '../helpers/temp-repo.js';

beforeAll(isolateGitConfig);

let repo: TempRepo;
let git: Git;
const stage = { path: '.worktrees/stage-1', branch: 'flux/stage-1', base: 'main' };

beforeEach(async () => {
  repo = await tempRepo();
  git = createGit(repo.root);
});

afterEach(async () => {
  await repo.cleanup();
});

async function refusal(promise: Promise<unknown>): Promise<RefusedError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RefusedError);
  return error as RefusedError;
}

describe('addWorktree', () => {
  it('creates a branch from base in a new worktree', async () => {
    const added = await git.addWorktree(stage);
    expect(added).toMatchObject({
      path: path.join(repo.root, stage.path),
      branch: stage.branch,
      outcome: 'created',
    });
    expect(added.head).toBe(await repo.git(['rev-parse', 'main']));
    expect(await git.currentBranch(added.path)).toBe(stage.branch);
    const listed = await git.listWorktrees();
    expect(listed.map((worktree) => [worktree.path, worktree.branch, worktree.main])).toEqual([
      [repo.root, 'main', true],
      [added.path, stage.branch, false],
    ]);
  });

  it('links .work to the main .work with a relative symlink that git ignores', async () => {
    await mkdir(path.join(repo.root, '.work'));
    const added = await git.addWorktree(stage);
    const link = path.join(added.path, '.work');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(path.isAbsolute(await readlink(link))).toBe(false);
    expect(await realpath(link)).toBe(path.join(repo.root, '.work'));
    // The exclude file is shared by every worktree of the repository, so .work is ignored there too.
    expect(await repo.git(['status', '--porcelain', '--untracked-files=all'], added.path)).toBe('');
    expect(await repo.git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
    await writeFile(path.join(link, 'note.md'), 'shared');
    expect(await repo.git(['status', '--porcelain', '--untracked-files=all'], added.path)).toBe('');
  });

  // `git worktree add` marks its work "locked initializing" until it is done:
  // a kill leaves that mark, with HEAD still the placeholder (detached) or the
  // files not yet checked out. Seen in the merge-kill stress test under load.
  it('a `worktree add` killed before HEAD was set (locked initializing, detached): made again', async () => {
    await repo.git(['worktree', 'add', '--detach', stage.path, 'main']);
    await repo.git(['branch', stage.branch, 'main']);
    await writeFile(path.join(repo.root, '.git', 'worktrees', 'stage-1', 'locked'), 'initializing');
    const added = await git.addWorktree(stage);
    expect(added.outcome).toBe('attached');
    expect(await git.currentBranch(added.path)).toBe(stage.branch);
    expect((await git.listWorktrees()).find((w) => w.path === added.path)?.locked).toBe(false);
    expect(await repo.git(['status', '--porcelain'], added.path)).toBe('');
  });

  it('a `worktree add` killed before its checkout (locked initializing, files missing): made again, whole', async () => {
    await repo.git(['worktree', 'add', '-b', stage.branch, stage.path, 'main']);
    const tracked = (await repo.git(['ls-files'], path.join(repo.root, stage.path)))
      .split('\n')
      .filter(Boolean);
    expect(tracked.length).toBeGreaterThan(0);
    for (const file of tracked) await rm(path.join(repo.root, stage.path, file));
    await writeFile(path.join(repo.root, '.git', 'worktrees', 'stage-1', 'locked'), 'initializing');
    const added = await git.addWorktree(stage);
    expect(await git.currentBranch(added.path)).toBe(stage.branch);
    expect(await repo.git(['status', '--porcelain'], added.path)).toBe('');
  });

  it('a `worktree add` killed while writing its admin files (commondir empty: git cannot even list): made again', async () => {
    await repo.git(['worktree', 'add', '-b', stage.branch, stage.path, 'main']);
    const admin = path.join(repo.root, '.git', 'worktrees', 'stage-1');
    await writeFile(path.join(admin, 'commondir'), '');
    await writeFile(path.join(admin, 'locked'), 'initializing');
    // As seen in the kill stress test under load: every listing fails.
    await expect(repo.git(['worktree', 'list', '--porcelain'])).rejects.toThrow(/commondir/);
    const added = await git.addWorktree(stage);
    expect(await git.currentBranch(added.path)).toBe(stage.branch);
    expect(await repo.git(['status', '--porcelain'], added.path)).toBe('');
    expect((await git.listWorktrees()).map((w) => w.path)).toEqual([repo.root, added.path]);
  });

  it('a worktree a person locked (another reason) is not touched', async () => {
    await git.addWorktree(stage);
    await repo.git(['worktree', 'lock', '--reason', 'on a usb disk', stage.path]);
    await writeFile(path.join(repo.root, stage.path, 'mine.txt'), 'keep me');
    const again = await git.addWorktree(stage);
    expect(again.outcome).toBe('existing');
    expect(await repo.git(['status', '--porcelain'], again.path)).toBe('?? mine.txt');
  });

  it('is idempotent: a re-run returns the same worktree and keeps its commits', async () => {
    const first = await git.addWorktree(stage);
    const commit = await repo.commit('stage work', { 'work.txt': 'done\n' }, first.path);
    const again = await git.addWorktree(stage);
    expect(again).toEqual({ ...first, head: commit, outcome: 'existing' });
    expect(await git.listWorktrees()).toHaveLength(2);
  });

  it('attaches an existing branch after its worktree was lost (resume after a crash)', async () => {
    const first = await git.addWorktree(stage);
    const commit = await repo.commit('stage work', { 'work.txt': 'done\n' }, first.path);
    await rm(first.path, { recursive: true, force: true });
    const again = await git.addWorktree(stage);
    expect(again.outcome).toBe('attached');
    expect(again.head).toBe(commit);
    expect(await git.listWorktrees()).toHaveLength(2);
  });

  it('attaches an existing branch that never had a worktree', async () => {
    await repo.git(['branch', stage.branch]);
    expect((await git.addWorktree(stage)).outcome).toBe('attached');
  });

  it('refuses a branch checked out elsewhere, and a path taken by another branch', async () => {
    await git.addWorktree(stage);
    expect((await refusal(git.addWorktree({ ...stage, path: '.worktrees/other' }))).message).toContain(
      'already checked out',
    );
    expect((await refusal(git.addWorktree({ ...stage, branch: 'flux/other' }))).message).toContain(
      "branch 'flux/stage-1'",
    );
  });

  it('refuses a non-empty directory that is not a worktree, and a bad base or branch name', async () => {
    await repo.write('.worktrees/stage-1/keep.txt', 'mine');
    expect((await refusal(git.addWorktree(stage))).message).toContain('not a worktree');
    await refusal(git.addWorktree({ ...stage, path: '.worktrees/b', base: 'no-such-base' }));
    await refusal(git.addWorktree({ ...stage, path: '.worktrees/c', branch: 'bad..name' }));
    await refusal(git.addWorktree({ ...stage, path: '.worktrees/d', branch: '-x' }));
  });
});

describe('removeWorktree and deleteBranch', () => {
  it('refuses while the worktree has uncommitted changes, naming them', async () => {
    const added = await git.addWorktree(stage);
    await repo.write('draft.txt', 'unsaved', added.path);
    const error = await refusal(git.removeWorktree(added.path, stage));
    expect(error.message).toContain('uncommitted changes: draft.txt');
    expect((await lstat(added.path)).isDirectory()).toBe(true);
  });

  it('refuses while the branch has commits not merged into base, naming them', async () => {
    const added = await git.addWorktree(stage);
    await repo.commit('unmerged work', { 'work.txt': 'x' }, added.path);
    const error = await refusal(git.removeWorktree(added.path, stage));
    expect(error.message).toContain('1 commit(s) not merged');
    expect(error.message).toContain('unmerged work');
    expect(await git.listWorktrees()).toHaveLength(2);
    await refusal(git.deleteBranch(stage.branch, { base: 'main' }));
    expect(await git.branchExists(stage.branch)).toBe(true);
  });

  it('removes a clean, merged worktree, then deletes its branch', async () => {
    const added = await git.addWorktree(stage);
    await repo.commit('work', { 'work.txt': 'x' }, added.path);
    await repo.git(['merge', '--quiet', '--no-ff', '-m', 'merge', stage.branch]);
    expect(await git.removeWorktree(added.path, stage)).toEqual({ removed: true });
    await expect(lstat(added.path)).rejects.toThrow();
    expect(await git.listWorktrees()).toHaveLength(1);
    expect(await git.deleteBranch(stage.branch, { base: 'main' })).toEqual({ deleted: true });
    expect(await git.branchExists(stage.branch)).toBe(false);
    // Both are idempotent.
    expect(await git.removeWorktree(added.path, stage)).toEqual({ removed: false });
    expect(await git.deleteBranch(stage.branch)).toEqual({ deleted: false });
  });

  it('refuses to delete a branch that is merged but still checked out', async () => {
    await git.addWorktree(stage);
    expect((await refusal(git.deleteBranch(stage.branch, { base: 'main' }))).message).toContain('refused');
  });

  it('refuses the main worktree, a plain directory, and a worktree of another branch', async () => {
    await refusal(git.removeWorktree(repo.root, { branch: 'main', base: 'main' }));
    await repo.write('plain/file.txt', 'x');
    await refusal(git.removeWorktree('plain', stage));
    const added = await git.addWorktree(stage);
    await refusal(git.removeWorktree(added.path, { branch: 'flux/other', base: 'main' }));
  });
});
