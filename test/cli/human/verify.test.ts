/**
 * The human gate end to end: a stage completes under `flux run`, waits on a
 * person, is reviewed on a terminal (acceptance failing at verify time,
 * files outside its globs), rejected there, reworked by a fresh session,
 * rejected again from the command line, and finally approved and merged,
 * which makes its dependent ready.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { doneScript, makeRig, openTerminal, plan, type Rig } from './harness.js';

const PLAN = plan(
  'Human gate',
  `    - id: models
      name: "Models"
      description: "Write the user model"
      dependencies: []
      acceptance:
        - "test -f src/models/user.txt"
        - "test ! -e ../../.fail-acceptance"
      files:
        - "src/models/**"
    - id: api
      name: "API"
      description: "Write the routes"
      dependencies: [models]
      acceptance:
        - "test -f src/api/routes.txt"
      files:
        - "src/api/**"`,
);

let rig: Rig;

beforeAll(async () => {
  rig = await makeRig(PLAN, {
    models: doneScript('src/models/user.txt', 'user', [
      { write: { path: 'NOTES.md', content: 'a note outside the globs\n' } },
    ]),
  });
});

afterAll(async () => {
  await rig?.cleanup();
  await cleanupTempRepos();
});

describe('flux verify', () => {
  it('a completed human-gate stage is listed under "Waiting on you"', async () => {
    const run = await rig.run();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await rig.stageStatus('models')).toBe('completed');
    const status = await rig.flux(['status']);
    expect(status.stdout).toContain('Waiting on you:');
    expect(status.stdout).toMatch(/models: review and approve or reject\s+→\s+flux verify models/);
  });

  it('without a terminal and without --approve or --reject: exit 64, nothing recorded', async () => {
    const before = rig.read('.work/events.jsonl');
    const result = await rig.flux(['verify', 'models']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toMatch(/error: flux verify needs --approve, or --reject --reason <text>/);
    expect(result.stdout).toBe('');
    expect(rig.read('.work/events.jsonl')).toBe(before);
  });

  it('wrong option combinations exit 64', async () => {
    expect((await rig.flux(['verify', 'models', '--reason', 'x'])).exitCode).toBe(64);
    expect((await rig.flux(['verify', 'models', '--approve', '--reject'])).exitCode).toBe(64);
    expect((await rig.flux(['verify', 'models', '--reject', '--no-merge', '--reason', 'x'])).exitCode).toBe(
      64,
    );
    expect((await rig.flux(['verify', 'modles', '--approve'])).stderr).toContain("did you mean 'models'?");
  });

  it('a stage that is not completed: exit 3, naming its state and what to do', async () => {
    const result = await rig.flux(['verify', 'api', '--approve']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("stage 'api' is pending, not completed");
    expect(result.stderr).toMatch(/hint: it waits for models to be merged/);
  });

  it('on a terminal: shows the review, says acceptance fails, defaults to reject and asks why', async () => {
    writeFileSync(path.join(rig.root, '.fail-acceptance'), 'make the second command fail\n');
    const terminal = await openTerminal(rig.root, [process.execPath, rig.bin, 'verify', 'models'], rig.env);
    try {
      const screen = await terminal.waitForScreen(/Approve, reject, or quit\? \[a\/R\/q\]/);
      expect(screen).toContain('$ test -f src/models/user.txt');
      expect(screen).toMatch(/✗ test ! -e \.\.\/\.\.\/\.fail-acceptance \(exited 1/);
      expect(screen).toContain('ACCEPTANCE FAILED: 1 of 2 command(s) failed');
      expect(screen).toContain('Commits on flux/models not in main: 1');
      expect(screen).toMatch(/src\/models\/user\.txt\s+\+1\s+-0/);
      expect(screen).toMatch(
        /1 changed file\(s\) outside the stage's files \(src\/models\/\*\*\):\s+NOTES\.md/,
      );
      expect(screen).toContain('Merge into main: clean (predicted)');
      await terminal.keys(['Enter']);
      await terminal.waitForScreen(/Why is it rejected\?/);
      await terminal.keys(['add an index on the email'], true);
      await terminal.keys(['Enter']);
      const end = await terminal.waitForScreen(/exit=\d+/);
      expect(end).toContain('Rejected models: add an index on the email');
      expect(end).toContain('exit=0');
    } finally {
      await terminal.close();
      rmSync(path.join(rig.root, '.fail-acceptance'));
    }
    expect(rig.events().at(-1)).toMatchObject({
      type: 'stage.rejected',
      stage: 'models',
      reason: 'add an index on the email',
    });
    const row = (await rig.status()).stages.find((s) => s.id === 'models')!;
    expect(row).toMatchObject({ status: 'rejected', reason: 'add an index on the email' });
    // The worktree and the branch stay for the next session.
    expect(rig.exists('.worktrees/models')).toBe(true);
  });

  it('the next flux run starts a fresh session on the branch, which completes it again', async () => {
    const run = await rig.run();
    expect(run.exitCode, run.stderr).toBe(0);
    const row = (await rig.status()).stages.find((s) => s.id === 'models')!;
    expect(row.status).toBe('completed');
    expect(row.session?.id).toBe('models.s2');
    expect(rig.exists('.work/signals/models.s2.md')).toBe(true);
    expect(rig.read('.worktrees/models/src/models/user.txt')).toBe('user\nuser\n');
  });

  // The reason travels on the new session's `session.started` event into its first prompt.
  it("the fresh session's first prompt carries the rejection reason", () => {
    expect(rig.read('.work/signals/models.s2.md')).toContain('add an index on the email');
  });

  it('--reject --reason from the command line: no review, recorded, the next run starts s3', async () => {
    const result = await rig.flux(['verify', 'models', '--reject', '--reason', 'name the index']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Rejected models: name the index');
    expect(result.stdout).not.toContain('Acceptance');
    expect(rig.events().at(-1)).toMatchObject({ type: 'stage.rejected', reason: 'name the index' });
    expect((await rig.run()).exitCode).toBe(0);
    const row = (await rig.status()).stages.find((s) => s.id === 'models')!;
    expect(row).toMatchObject({ status: 'completed', session: expect.objectContaining({ id: 'models.s3' }) });
  });

  it('--approve: verified by a human, merged, worktree and branch removed, the dependent ready', async () => {
    const result = await rig.flux(['verify', 'models', '--approve']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('All acceptance commands pass.');
    expect(result.stdout).toContain('Approved models.');
    expect(result.stdout).toMatch(/Merged models into main: [0-9a-f]{12}/);
    expect(result.stdout).toContain('Ready now: api');
    const types = rig.events().map((e) => `${e.type} ${e.stage ?? e.session ?? ''}`);
    expect(types).toEqual(
      expect.arrayContaining(['stage.verified models', 'stage.merged models', 'stage.ready api']),
    );
    expect(rig.events().find((e) => e.type === 'stage.verified')).toMatchObject({ by: 'human' });
    const status = await rig.status();
    expect(status.stages.map((s) => [s.id, s.status])).toEqual([
      ['models', 'merged'],
      ['api', 'ready'],
    ]);
    expect(status.attention).toEqual([]);
    expect(rig.exists('.worktrees/models')).toBe(false);
    expect(await rig.branchExists('flux/models')).toBe(false);
    expect(rig.read('src/models/user.txt')).toBe('user\nuser\nuser\n');
    expect(await rig.git(['log', '-1', '--format=%s'])).toBe('Merge stage models: Models');
  });

  it('verify of a merged stage: exit 3, nothing left to do', async () => {
    const result = await rig.flux(['verify', 'models', '--approve']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("stage 'models' is merged, not completed");
  });
});
