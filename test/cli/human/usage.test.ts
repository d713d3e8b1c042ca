/** The human commands outside a workspace (exit 6) and with a wrong command line (exit 64). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, tempRepoWithPlan, type PlanRepo } from '../../helpers/cli.js';

afterAll(cleanupTempRepos);

let repo: PlanRepo;

beforeAll(async () => {
  repo = await tempRepoWithPlan();
});

describe('human commands', () => {
  it.concurrent.each([
    [['verify', 'stage-1-models', '--approve']],
    [['merge', 'stage-1-models']],
    [['resume', 'stage-1-models']],
    [['attach', 'stage-1-models']],
    [['attach', 'list']],
    [['sessions']],
    [['sessions', 'kill', 'stage-1-models']],
    [['worktree']],
    [['worktree', 'clean']],
  ])('flux %j without a workspace exits 6 with the hint to init', async (args) => {
    const result = await repo.flux(args);
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('hint: run `flux init <plan-path>` first');
  });

  it.concurrent.each([
    [['verify']],
    [['verify', 'x', '--approve', '--reject']],
    [['merge']],
    [['resume']],
    [['attach']],
    [['sessions', 'kill']],
    [['sessions', 'list', '--bogus']],
    [['worktree', 'prune']],
  ])('flux %j exits 64', async (args) => {
    const result = await repo.flux(args);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain('(run with --help for usage)');
  });
});
