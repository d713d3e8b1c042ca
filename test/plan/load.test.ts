import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ExitCode, PlanError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/load.js';
import { planDocument } from './helpers.js';

const repo = mkdtempSync(join(tmpdir(), 'flux-plan-'));
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
