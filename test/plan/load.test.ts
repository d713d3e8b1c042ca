import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ExitCode, PlanError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/load.js';
import { notAPlanFile } from '../../src/plan/plan-file.js';
import { planDocument } from './helpers.js';

const repo = realpathSync(mkdtempSync(join(tmpdir(), 'flux-plan-')));
mkdirSync(join(repo, 'doc', 'plans'), { recursive: true });
writeFileSync(
  join(repo, 'doc', 'plans', 'auth.md'),
  planDocument('flux:\n  version: 1\n  stages: [{id: a, name: A}]\n'),
);

function loadError(absPath: string): PlanError {
  try {
    loadPlan(absPath, repo);
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error('loaded without an error');
}

describe('loadPlan', () => {
  test('Plan.path is relative to the repository root, with `/`', () => {
    const plan = loadPlan(join(repo, 'doc', 'plans', 'auth.md'), repo);
    expect(plan.path).toBe('doc/plans/auth.md');
    expect(plan.title).toBe('Test plan');
  });

  test('a missing file is a PlanError naming it', () => {
    const error = loadError(join(repo, 'doc', 'plans', 'nope.md'));
    expect(error.message).toBe('doc/plans/nope.md: plan file not found');
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.hint).toContain('doc/plans/');
  });

  test('a directory is a PlanError', () => {
    expect(loadError(join(repo, 'doc', 'plans')).message).toBe('doc/plans: is a directory, not a plan file');
  });
});

describe('the plan path: a regular file inside the repository, after resolving links', () => {
  const outside = realpathSync(mkdtempSync(join(tmpdir(), 'flux-plan-outside-')));
  const outsidePlan = join(outside, 'outside.md');
  writeFileSync(outsidePlan, planDocument('flux:\n  version: 1\n  stages: [{id: a, name: A}]\n'));

  test('a link inside the repository to a plan inside it is read, and named by the real file', () => {
    symlinkSync('auth.md', join(repo, 'doc', 'plans', 'current.md'));
    const plan = loadPlan(join(repo, 'doc', 'plans', 'current.md'), repo);
    expect(plan.path).toBe('doc/plans/auth.md');
  });

  test('a path through a link outside the repository that leads back inside is read', () => {
    const alias = join(outside, 'alias');
    symlinkSync(join(repo, 'doc'), alias);
    expect(loadPlan(join(alias, 'plans', 'auth.md'), repo).path).toBe('doc/plans/auth.md');
  });

  test('a link inside the repository to a plan outside it is refused', () => {
    symlinkSync(outsidePlan, join(repo, 'doc', 'plans', 'link.md'));
    const error = loadError(join(repo, 'doc', 'plans', 'link.md'));
    expect(error.message).toBe(
      `doc/plans/link.md: the plan is outside the repository (${repo}): it links to ${outsidePlan}`,
    );
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.hint).toContain('keep the plan in the repository');
  });

  test('a path outside the repository is refused, named in full', () => {
    const error = loadError(join(repo, '..', basename(outside), 'outside.md'));
    expect(error.message).toBe(`${outsidePlan}: the plan is outside the repository (${repo})`);
  });

  test('a plan inside .git is refused: no worktree has it', () => {
    mkdirSync(join(repo, '.git'), { recursive: true });
    writeFileSync(
      join(repo, '.git', 'plan.md'),
      planDocument('flux:\n  version: 1\n  stages: [{id: a, name: A}]\n'),
    );
    const error = loadError(join(repo, '.git', 'plan.md'));
    expect(error.message).toBe('.git/plan.md: the plan is inside .git/, which no worktree checks out');
  });

  test('a link to a missing file, and a link loop, are named as such', () => {
    symlinkSync('gone.md', join(repo, 'doc', 'plans', 'dangling.md'));
    expect(loadError(join(repo, 'doc', 'plans', 'dangling.md')).message).toBe(
      'doc/plans/dangling.md: plan file not found: it links to gone.md, which does not exist',
    );
    symlinkSync('loop.md', join(repo, 'doc', 'plans', 'loop.md'));
    expect(loadError(join(repo, 'doc', 'plans', 'loop.md')).message).toBe(
      'doc/plans/loop.md: the plan path is a loop of symbolic links',
    );
  });

  test('a socket is refused without being opened', async () => {
    const socket = join(repo, 'doc', 'plans', 'plan.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const error = loadError(socket);
      expect(error.message).toBe('doc/plans/plan.sock: is a socket, not a plan file');
      expect(error.hint).toContain('regular file');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test.each([
    ['fifo', 'is a named pipe (FIFO), not a plan file'],
    ['char', 'is a character device, not a plan file'],
    ['block', 'is a block device, not a plan file'],
    ['dir', 'is a directory, not a plan file'],
  ])('a %s: %s', (kind, message) => {
    const stats = {
      isFile: () => false,
      isDirectory: () => kind === 'dir',
      isFIFO: () => kind === 'fifo',
      isCharacterDevice: () => kind === 'char',
      isBlockDevice: () => kind === 'block',
      isSocket: () => false,
    };
    expect(notAPlanFile(stats)?.message).toBe(message);
  });
});
