/**
 * `flux init` on a workspace that already exists: an unchanged plan is a
 * no-op, a changed one needs --force and is appended as plan.updated (the
 * log is only ever appended to), and a started stage can never be removed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, README_PLAN, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';

afterAll(cleanupTempRepos);

/** The README plan without stage-3-frontend. */
const WITHOUT_STAGE_3 = README_PLAN.replace(/\n {4}- id: stage-3-frontend[\s\S]*?(?=```)/, '\n');
const RENAMED_API = README_PLAN.replace('name: "API Endpoints"', 'name: "API"');
/** RENAMED_API without stage-1-models (and so without the dependencies on it). */
const WITHOUT_STAGE_1 = RENAMED_API.replace(
  /\n {4}- id: stage-1-models[\s\S]*?(?=\n {4}- id: stage-2-api)/,
  '\n',
).replace(/dependencies: \[stage-1-models\]/g, 'dependencies: []');

describe('flux init again', () => {
  let repo: PlanRepo;
  const log = (): Promise<string> => repo.read('.work/events.jsonl');
  const writePlan = (text: string): Promise<void> => writeFile(path.join(repo.root, repo.planPath), text);

  beforeAll(async () => {
    repo = await tempRepoWithPlan();
    expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
  });

  it('with the same plan: exit 0, "unchanged", no new event', async () => {
    const before = await log();
    const result = await repo.flux(['init', repo.planPath]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Plan unchanged: doc/plans/PLAN-auth.md (3 stages). Nothing to do.');
    expect(await log()).toBe(before);
  });

  it('does not list .work twice in .git/info/exclude', async () => {
    const exclude = await repo.read('.git/info/exclude');
    expect(exclude.match(/^\/?\.work\/?$/gm)).toHaveLength(1);
    expect(exclude.match(/^\/?\.worktrees\/?$/gm)).toHaveLength(1);
  });

  it('with a changed plan and no --force: exit 3, lists the change, log byte-identical', async () => {
    const before = await log();
    await writePlan(RENAMED_API);
    const result = await repo.flux(['init', repo.planPath]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the plan changed since `flux init`');
    expect(result.stderr).toContain('~ stage-2-api: name changed');
    expect(result.stderr).toContain('--force');
    expect(await log()).toBe(before);
  });

  it('with --force: plan.updated appended, earlier events untouched', async () => {
    const before = await log();
    const result = await repo.flux(['init', repo.planPath, '--force']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Updated the plan from doc/plans/PLAN-auth.md:');
    expect(result.stdout).toContain('~ stage-2-api: name changed');
    const after = await log();
    expect(after.startsWith(before)).toBe(true);
    const added = after
      .slice(before.length)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(added).toEqual([
      expect.objectContaining({
        seq: 3,
        type: 'plan.updated',
        changed: ['stage-2-api'],
        added: [],
        removed: [],
      }),
    ]);
    const status = JSON.parse((await repo.flux(['status', '--json'])).stdout) as {
      stages: Array<{ id: string; name: string; status: string }>;
    };
    expect(status.stages[1]).toMatchObject({ id: 'stage-2-api', name: 'API', status: 'pending' });
  });

  it('--force with an unchanged plan is still a no-op', async () => {
    const before = await log();
    const result = await repo.flux(['init', repo.planPath, '--force']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Plan unchanged');
    expect(await log()).toBe(before);
  });

  it('removing a stage that has not started is allowed with --force', async () => {
    const scratch = await tempRepoWithPlan();
    expect((await scratch.flux(['init', scratch.planPath])).exitCode).toBe(0);
    await writeFile(path.join(scratch.root, scratch.planPath), WITHOUT_STAGE_3);
    const refused = await scratch.flux(['init', scratch.planPath]);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain('- stage-3-frontend (removed)');
    const forced = await scratch.flux(['init', scratch.planPath, '--force']);
    expect(forced.exitCode).toBe(0);
    expect((await scratch.events()).at(-1)).toMatchObject({
      type: 'plan.updated',
      removed: ['stage-3-frontend'],
    });
  });

  it('removing a stage that has started is refused even with --force (exit 3)', async () => {
    const forced = await repo.flux(['stage', 'stage-1-models', 'complete']);
    expect(forced.exitCode).toBe(0);
    const before = await log();
    await writePlan(WITHOUT_STAGE_1);
    for (const args of [
      ['init', repo.planPath],
      ['init', repo.planPath, '--force'],
    ]) {
      const result = await repo.flux(args);
      expect(result.exitCode, args.join(' ')).toBe(3);
      expect(result.stderr).toContain('removes stages that have started: stage-1-models (completed)');
      expect(result.stderr).toContain('flux stage <id> reset');
    }
    expect(await log()).toBe(before);
  });

  it('the plan file on disk is never rewritten by init', async () => {
    const text = await readFile(path.join(repo.root, repo.planPath), 'utf8');
    await repo.flux(['init', repo.planPath, '--force']);
    expect(await readFile(path.join(repo.root, repo.planPath), 'utf8')).toBe(text);
  });
});
