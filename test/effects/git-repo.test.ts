import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExternalError } from '../../src/errors.js';
import { createGit, findMainWorktree, findRepoRoot, FLUX_EXCLUDES, type Git } from '../../src/effects/git.js';
import { isolateGitConfig, tempDir, tempRepo, type TempRepo } from '../helpers/temp-repo.js';

beforeAll(isolateGitConfig);

let repo: TempRepo;
let git: Git;

beforeEach(async () => {
  repo = await tempRepo();
  git = createGit(repo.root);
});

afterEach(async () => {
  await repo.cleanup();
});

describe('finding the repository', () => {
  it('finds the top of the worktree from a subdirectory', async () => {
    await repo.write('src/deep/file.txt', 'x');
    expect(await findRepoRoot(path.join(repo.root, 'src/deep'))).toBe(repo.root);
    expect(await git.repoRoot(path.join(repo.root, 'src'))).toBe(repo.root);
  });

  it('is an ExternalError with a hint outside a repository', async () => {
    const dir = await tempDir();
    const error = await findRepoRoot(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toContain('not inside a git repository');
    expect((error as ExternalError).hint).toContain('git init');
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the main worktree from inside a stage worktree', async () => {
    const added = await git.addWorktree({ path: '.worktrees/s1', branch: 'flux/s1', base: 'main' });
    expect(await findRepoRoot(added.path)).toBe(added.path);
    expect(await findMainWorktree(added.path)).toBe(repo.root);
  });
});

describe('branch and status queries', () => {
  it('names the current branch, and null when detached', async () => {
    expect(await git.currentBranch()).toBe('main');
    await repo.git(['checkout', '--quiet', '--detach']);
    expect(await git.currentBranch()).toBeNull();
  });

  it('lists uncommitted files, untracked included, and leaves out .work and .worktrees', async () => {
    expect(await git.isClean()).toBe(true);
    await repo.write('README.md', 'changed\n');
    await repo.write('new file.txt', 'new\n');
    await repo.write('.work/events.jsonl', '{}\n');
    await repo.write('.worktrees/x/file', 'x');
    const files = await git.status();
    expect(files.map((file) => [file.code, file.path])).toEqual([
      [' M', 'README.md'],
      ['??', 'new file.txt'],
    ]);
    expect(await git.isClean()).toBe(false);
  });

  it('returns the head commit and tells existing branches', async () => {
    expect(await git.headCommit()).toBe(await repo.git(['rev-parse', 'HEAD']));
    expect(await git.branchExists('main')).toBe(true);
    expect(await git.branchExists('flux/none')).toBe(false);
  });
});

describe('ensureExcluded', () => {
  it('adds the Flux patterns to .git/info/exclude once, and leaves .gitignore alone', async () => {
    const excludeFile = path.join(repo.root, '.git/info/exclude');
    expect(await git.ensureExcluded()).toEqual([...FLUX_EXCLUDES]);
    expect(await git.ensureExcluded()).toEqual([]);
    const lines = (await readFile(excludeFile, 'utf8')).split('\n');
    for (const pattern of FLUX_EXCLUDES) expect(lines.filter((line) => line === pattern)).toHaveLength(1);
    await expect(readFile(path.join(repo.root, '.gitignore'))).rejects.toThrow();
  });

  it('makes git itself ignore .work and .worktrees', async () => {
    await git.ensureExcluded();
    await repo.write('.work/config.toml', 'x');
    await repo.write('.worktrees/s/file', 'x');
    expect(await repo.git(['status', '--porcelain'])).toBe('');
  });
});

describe('comparing a branch with its base', () => {
  beforeEach(async () => {
    await repo.git(['checkout', '--quiet', '-b', 'flux/s1']);
    await repo.commit('add api', { 'src/api.ts': 'export const api = 1;\n' });
    await repo.commit('add models', {
      'src/models.ts': 'a\nb\n',
      'img.bin': Buffer.from([0, 1, 2]).toString(),
    });
    await repo.git(['checkout', '--quiet', 'main']);
    await repo.commit('main moves on', { 'docs/notes.md': 'notes\n' });
  });

  it('counts commits ahead and behind and lists their subjects', async () => {
    expect(await git.aheadBehind('flux/s1', 'main')).toEqual({ ahead: 2, behind: 1 });
    expect(await git.commitsAhead('flux/s1', 'main')).toEqual(['add models', 'add api']);
  });

  it('lists what the branch changed since it left base, not what base did since', async () => {
    expect((await git.changedFiles('main', 'flux/s1')).sort()).toEqual([
      'img.bin',
      'src/api.ts',
      'src/models.ts',
    ]);
    const stat = await git.diffStat('main', 'flux/s1');
    expect(stat.insertions).toBe(3);
    expect(stat.deletions).toBe(0);
    expect(stat.files.find((file) => file.path === 'img.bin')).toEqual({
      path: 'img.bin',
      added: null,
      deleted: null,
    });
  });

  it('tells whether a branch is merged', async () => {
    expect(await git.isMerged('flux/s1', 'main')).toBe(false);
    expect(await git.isMerged('main~1', 'main')).toBe(true);
  });
});
