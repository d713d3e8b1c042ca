/**
 * Answering a permission question without attaching: a stage's agent asks
 * (the PermissionRequest hook), `flux status` shows it waiting on you, and
 * `flux approve` / `flux deny --reason` reach the agent through the waiting
 * hook. The simulated agent asks exactly as Claude Code does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { makeRig, plan, type Rig } from '../human/harness.js';

const PLAN = plan(
  'Permissions',
  `    - id: fetch
      name: "Fetch"
      dependencies: []
      acceptance: []
      files:
        - "fetched.txt"
      gate: auto`,
);

const asking = (command: string) => ({
  turns: [
    {
      say: 'I need the network.',
      context: 20,
      actions: [{ permission: { tool: 'Bash', input: { command } } }],
    },
    {
      say: 'Writing what I have.',
      context: 30,
      actions: [{ write: { path: 'fetched.txt', content: 'ok\n' } }, { commit: 'Fetch' }, { flux: ['done'] }],
    },
  ],
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('flux approve / flux deny', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await makeRig(PLAN);
  });
  afterAll(async () => {
    await rig.cleanup();
    await cleanupTempRepos();
  });

  it('refuses when nothing waits (exit 3)', async () => {
    const result = await rig.flux(['approve', 'fetch']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('fetch is not waiting for a permission answer');
  });

  it('approve: the waiting agent goes on and the stage merges', async () => {
    rig.writeSim('fetch', asking('curl https://example.invalid/data'));
    const run = rig.startRun();
    try {
      const waiting = await waitFor('the permission question', async () => {
        const status = await rig.status();
        return status.attention.find((a) => a.stage === 'fetch' && a.what.includes('permission'));
      });
      expect(waiting.what).toBe('permission for Bash: curl https://example.invalid/data');
      expect(waiting.command).toContain('flux approve fetch');

      const result = await rig.flux(['approve', 'fetch']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain('Allowed Bash: curl https://example.invalid/data.');
      // A question waits on a person: the watching run may have ended meanwhile, saying so.
      await waitFor('the stage to complete', async () =>
        ['completed', 'verified', 'merged'].includes((await rig.stageStatus('fetch')) ?? '')
          ? true
          : undefined,
      );
    } finally {
      await run.stop();
    }
    expect((await rig.run()).exitCode).toBe(0);
    expect(await rig.stageStatus('fetch')).toBe('merged');
    const answered = rig.events().filter((e) => e.type === 'session.permission_answered');
    expect(answered).toMatchObject([{ session: 'fetch.s1', decision: 'allow' }]);
  });
});

describe('flux deny', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await makeRig(PLAN);
  });
  afterAll(async () => {
    await rig.cleanup();
  });

  it('records the denial with its reason, and the session moves on', async () => {
    rig.writeSim('fetch', asking('rm -rf /tmp/somewhere'));
    const run = rig.startRun();
    try {
      await waitFor('the permission question', async () =>
        (await rig.status()).stages.find((s) => s.session?.status === 'waiting_permission'),
      );
      const result = await rig.flux(['deny', 'fetch', '--reason', 'never delete outside the worktree']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain(
        'Denied Bash: rm -rf /tmp/somewhere (never delete outside the worktree).',
      );
      await waitFor('the session to move on', async () =>
        (await rig.status()).stages.find((s) => s.session?.status !== 'waiting_permission'),
      );
    } finally {
      await run.stop();
    }
    expect(rig.events().filter((e) => e.type === 'session.permission_answered')).toMatchObject([
      { decision: 'deny', reason: 'never delete outside the worktree' },
    ]);
    // A second answer has nothing to answer.
    expect((await rig.flux(['deny', 'fetch'])).exitCode).toBe(3);
  });
});
