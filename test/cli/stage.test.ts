/**
 * `flux stage <id> complete|block|reset`: forced transitions go through the
 * stage machine and are recorded as events; what the machine refuses exits 3
 * and names the state and what it accepts; a bad id or action exits 64.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';

afterAll(cleanupTempRepos);

interface StatusJson {
  stages: Array<{ id: string; status: string; reason: string | null }>;
  attention: Array<{ stage: string; what: string; command: string }>;
}

describe('flux stage', () => {
  let repo: PlanRepo;
  const log = (): Promise<string> => repo.read('.work/events.jsonl');
  const status = async (): Promise<StatusJson> =>
    JSON.parse((await repo.flux(['status', '--json'])).stdout) as StatusJson;
  const stateOf = async (id: string): Promise<string | undefined> =>
    (await status()).stages.find((s) => s.id === id)?.status;

  beforeAll(async () => {
    repo = await tempRepoWithPlan();
    expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
  });

  it('block: pending → blocked, recorded with its reason', async () => {
    const result = await repo.flux([
      'stage',
      'stage-2-api',
      'block',
      '--reason',
      'waiting on the API design',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('stage-2-api: blocked\n');
    expect((await repo.events()).at(-1)).toMatchObject({
      seq: 3,
      type: 'stage.blocked',
      stage: 'stage-2-api',
      reason: 'waiting on the API design',
    });
    const view = await status();
    expect(view.stages[1]).toMatchObject({ status: 'blocked', reason: 'waiting on the API design' });
    expect(view.attention).toEqual([expect.objectContaining({ stage: 'stage-2-api' })]);
    // The stage's projection follows the log.
    const projection = await repo.read('.work/stages/stage-2-api.md');
    expect(projection).toContain('- Status: blocked');
    expect(projection).toContain('- Reason: waiting on the API design');
  });

  it('block without --reason records a default reason', async () => {
    const result = await repo.flux(['stage', 'stage-3-frontend', 'block']);
    expect(result.exitCode).toBe(0);
    expect((await repo.events()).at(-1)).toMatchObject({ type: 'stage.blocked', stage: 'stage-3-frontend' });
    expect((await repo.events()).at(-1)?.reason).toEqual(expect.any(String));
  });

  it('block of a blocked stage: exit 3, names the state and what it accepts, appends nothing', async () => {
    const before = await log();
    const result = await repo.flux(['stage', 'stage-2-api', 'block']);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: stage-2-api is blocked: it cannot be forced to block/);
    expect(result.stderr).toMatch(/possible here: .*flux stage stage-2-api reset/);
    expect(await log()).toBe(before);
  });

  it('reset: blocked → pending (dependencies not merged, so not ready)', async () => {
    for (const id of ['stage-2-api', 'stage-3-frontend']) {
      const result = await repo.flux(['stage', id, 'reset']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(`${id}: pending\n`);
    }
    expect((await repo.events()).slice(-2).map((e) => [e.type, e.stage])).toEqual([
      ['stage.reset', 'stage-2-api'],
      ['stage.reset', 'stage-3-frontend'],
    ]);
    expect((await status()).attention).toEqual([]);
  });

  it('complete: ready → completed, marked as forced; dependents stay pending until it is merged', async () => {
    const result = await repo.flux(['stage', 'stage-1-models', 'complete']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('stage-1-models: completed\n');
    expect((await repo.events()).at(-1)).toMatchObject({
      type: 'stage.completed',
      stage: 'stage-1-models',
      forced: true,
    });
    const view = await status();
    expect(view.stages.map((s) => s.status)).toEqual(['completed', 'pending', 'pending']);
    // A completed stage with a human gate waits on a person.
    expect(view.attention).toEqual([
      expect.objectContaining({ stage: 'stage-1-models', command: 'flux verify stage-1-models' }),
    ]);
  });

  it('complete of a completed stage: exit 3 naming the state and what it accepts', async () => {
    const before = await log();
    const result = await repo.flux(['stage', 'stage-1-models', 'complete']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('error: stage-1-models is completed: it cannot be forced to complete');
    expect(result.stderr).toMatch(
      /possible here: flux stage stage-1-models block, flux stage stage-1-models reset/,
    );
    expect(await log()).toBe(before);
  });

  it('reset of a completed stage without dependencies: back to pending, then ready again', async () => {
    const result = await repo.flux(['stage', 'stage-1-models', 'reset', '--reason', 'redo it']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('stage-1-models: ready\n');
    expect((await repo.events()).slice(-2)).toEqual([
      expect.objectContaining({ type: 'stage.reset', stage: 'stage-1-models', reason: 'redo it' }),
      expect.objectContaining({ type: 'stage.ready', stage: 'stage-1-models' }),
    ]);
    expect(await stateOf('stage-1-models')).toBe('ready');
  });

  it('complete of a pending stage is refused: its dependencies are not merged (exit 3)', async () => {
    const before = await log();
    const result = await repo.flux(['stage', 'stage-3-frontend', 'complete']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('stage-3-frontend is pending: it cannot be forced to complete');
    expect(result.stderr).toContain('possible here: flux stage stage-3-frontend block');
    expect(await log()).toBe(before);
  });

  it('an unknown stage id: exit 64 with a "did you mean" hint, nothing appended', async () => {
    const before = await log();
    const result = await repo.flux(['stage', 'stage-2-apo', 'block']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("error: no stage 'stage-2-apo' in the plan");
    expect(result.stderr).toContain("hint: did you mean 'stage-2-api'?");
    expect(await log()).toBe(before);
  });

  it('an id nothing resembles: exit 64 listing the stages', async () => {
    const result = await repo.flux(['stage', 'zzzzzzzzzzzzzzzzzzzzzz', 'reset']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("no stage 'zzzzzzzzzzzzzzzzzzzzzz'");
    expect(result.stderr).toMatch(/hint: .*stage-1-models/);
  });

  it('a bad action or a missing one: exit 64', async () => {
    const before = await log();
    const [bad, missing, none] = await Promise.all([
      repo.flux(['stage', 'stage-1-models', 'finish']),
      repo.flux(['stage', 'stage-1-models']),
      repo.flux(['stage']),
    ]);
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toContain("'finish' is invalid");
    expect(bad.stderr).toContain('complete, block, reset');
    expect(missing.exitCode).toBe(64);
    expect(missing.stderr).toContain("missing required argument 'action'");
    expect(none.exitCode).toBe(64);
    expect(await log()).toBe(before);
  });

  it('every change so far replays to the same state', async () => {
    const result = await repo.flux(['replay']);
    expect(result.exitCode).toBe(0);
    const events = await repo.events();
    expect(result.stdout).toContain(`replayed cleanly up to seq ${events.length}`);
  });
});

describe('flux stage on a merged stage', () => {
  it('refuses reset: a merged stage is final (exit 3)', async () => {
    const repo = await tempRepoWithPlan();
    expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
    expect((await repo.flux(['stage', 'stage-1-models', 'complete'])).exitCode).toBe(0);
    // Verification and merging are not forced transitions; write them as `flux verify`/`flux merge` would.
    const at = new Date().toISOString();
    await appendFile(
      path.join(repo.root, '.work', 'events.jsonl'),
      `${JSON.stringify({ v: 1, seq: 4, at, type: 'stage.verified', stage: 'stage-1-models', by: 'human' })}\n` +
        `${JSON.stringify({ v: 1, seq: 5, at, type: 'stage.merged', stage: 'stage-1-models', commit: null })}\n`,
    );
    const before = await repo.read('.work/events.jsonl');
    for (const action of ['reset', 'complete', 'block']) {
      const result = await repo.flux(['stage', 'stage-1-models', action]);
      expect(result.exitCode, action).toBe(3);
      expect(result.stderr).toContain(`stage-1-models is merged: it cannot be forced to ${action}`);
      expect(result.stderr).toContain('a merged stage is final');
    }
    expect(await repo.read('.work/events.jsonl')).toBe(before);
  });
});
