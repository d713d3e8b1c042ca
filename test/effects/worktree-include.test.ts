/**
 * What a new worktree gets copied (`.worktreeinclude`, `[worktree] copy`):
 * only what git ignores and the patterns match, with git's own matching,
 * copied with modes and symbolic links; never `.git`, `.work` or
 * `.worktrees`. Real git in a temporary repository.
 */
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  copyIncluded,
  listIncluded,
  pathsToCopy,
  readWorktreeInclude,
} from '../../src/effects/worktree-include.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir, tempRepo, type TempRepo } from '../helpers/temp-repo.js';

describe('pathsToCopy', () => {
  it('keeps what both listings hold, what the patterns match inside an ignored folder, and the reverse', () => {
    const ignored = ['.env', 'a.log', 'build/out/', 'node_modules/', 'secrets/', 'src/b.log'];
    const matched = ['.env', 'build/', 'node_modules/', 'notes.txt', 'secrets/x.env'];
    expect(pathsToCopy(ignored, matched)).toEqual(['.env', 'build/out/', 'node_modules/', 'secrets/x.env']);
  });

  it('never copies .git, .work or .worktrees, and lists nothing inside another listed folder', () => {
    const ignored = ['.work/', '.worktrees/', '.git/', 'cache/'];
    const matched = ['.work/', '.worktrees/a/', '.git/', 'cache/', 'cache/x'];
    expect(pathsToCopy(ignored, matched)).toEqual(['cache/']);
  });
});

describe('listIncluded and copyIncluded (real git)', () => {
  let repo: TempRepo;
  let target: string;

  beforeEach(async () => {
    repo = await tempRepo();
    await repo.commit('ignore', { '.gitignore': 'node_modules/\n.env*\n*.log\n/.work\n', 'src/app.ts': '' });
    target = await tempDir();
    writeFileSync(path.join(repo.root, '.env'), 'KEY=1\n');
    writeFileSync(path.join(repo.root, '.env.local'), 'LOCAL=1\n');
    writeFileSync(path.join(repo.root, 'src', 'debug.log'), 'log\n');
    writeFileSync(path.join(repo.root, 'untracked.txt'), 'not ignored\n');
    mkdirSync(path.join(repo.root, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(path.join(repo.root, 'node_modules', 'pkg', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('pkg/run.sh', path.join(repo.root, 'node_modules', 'run'));
    mkdirSync(path.join(repo.root, '.work'), { recursive: true });
    writeFileSync(path.join(repo.root, '.work', 'events.jsonl'), '');
  });

  afterEach(async () => {
    await repo.cleanup();
  });

  it('lists the ignored entries the patterns match, in gitignore syntax (negation too)', async () => {
    writeFileSync(
      path.join(repo.root, '.worktreeinclude'),
      '.env*\n!.env.local\nnode_modules/\nuntracked.txt\n',
    );
    expect(await listIncluded(repo.root, true, [])).toEqual(['.env', 'node_modules/']);
    expect(await listIncluded(repo.root, false, ['*.log', '.work'])).toEqual(['src/debug.log']);
    expect(await listIncluded(repo.root, false, [])).toEqual([]);
  });

  it('copies them with their modes and symbolic links, into folders that may exist already', async () => {
    mkdirSync(path.join(target, 'node_modules'), { recursive: true });
    await copyIncluded(repo.root, target, ['.env', 'node_modules/', 'src/debug.log']);
    expect(readFileSync(path.join(target, '.env'), 'utf8')).toBe('KEY=1\n');
    expect(statSync(path.join(target, 'node_modules', 'pkg', 'run.sh')).mode & 0o777).toBe(0o755);
    expect(lstatSync(path.join(target, 'node_modules', 'run')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(target, 'node_modules', 'run'))).toBe('pkg/run.sh');
    expect(readFileSync(path.join(target, 'src', 'debug.log'), 'utf8')).toBe('log\n');
    // Not `node_modules/node_modules`: the folder already there got the contents.
    expect(() => lstatSync(path.join(target, 'node_modules', 'node_modules'))).toThrow();
  });

  it('reads .worktreeinclude; none is null; one that cannot be read is a ConfigError naming it', async () => {
    expect(await readWorktreeInclude(repo.root)).toBeNull();
    writeFileSync(path.join(repo.root, '.worktreeinclude'), '.env\n');
    expect(await readWorktreeInclude(repo.root)).toBe('.env\n');
    const other = await tempRepo();
    try {
      mkdirSync(path.join(other.root, '.worktreeinclude'));
      const error = await readWorktreeInclude(other.root).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        `cannot read ${path.join(other.root, '.worktreeinclude')}: it is a directory`,
      );
    } finally {
      await other.cleanup();
    }
  });
});
