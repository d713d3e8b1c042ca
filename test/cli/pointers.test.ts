/**
 * Errors that point the right way: `flux status` outside any git repository
 * says so (not "run flux init", which would fail there too), and
 * `flux verify <unknown>` without a terminal names the unknown stage before
 * it complains about the terminal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, runFlux, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';

let repo: PlanRepo;
const outside = mkdtempSync(path.join(tmpdir(), 'flux-no-git-'));

beforeAll(async () => {
  repo = await tempRepoWithPlan();
  const init = await repo.flux(['init', repo.planPath]);
  expect(init.exitCode, init.stderr).toBe(0);
});

afterAll(async () => {
  rmSync(outside, { recursive: true, force: true });
  await cleanupTempRepos();
});

describe('outside a git repository', () => {
  it('flux status says it is not in a git repository, and does not suggest flux init there', async () => {
    const status = await runFlux(['status'], { cwd: outside });
    expect(status.exitCode).toBe(6);
    expect(status.stderr).toContain(`error: no Flux workspace at ${outside}/.work`);
    expect(status.stderr).toContain('is not inside a git repository');
    expect(status.stderr).not.toContain('hint: run `flux init <plan-path>` first');
    // flux init there fails for that very reason.
    const init = await runFlux(['init', 'plan.md'], { cwd: outside });
    expect(init.exitCode).toBe(5);
  });
});

describe('flux verify without a terminal', () => {
  it('names an unknown stage first (64, with the closest id)', async () => {
    const result = await repo.flux(['verify', 'stage-1-modls']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("no stage 'stage-1-modls'");
    expect(result.stderr).toContain("did you mean 'stage-1-models'?");
    expect(result.stderr).not.toContain('terminal');
  });

  it('says a stage that is not completed cannot be verified, before asking for a terminal', async () => {
    const result = await repo.flux(['verify', 'stage-1-models']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('only a completed stage can be verified');
    expect(result.stderr).not.toContain('terminal');
  });
});
