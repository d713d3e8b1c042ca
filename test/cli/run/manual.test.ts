/**
 * `flux run --manual`: worktrees and signals are prepared and the exact
 * command that starts each stage is printed; running that command by hand
 * gives a session Flux follows through its hooks like any other.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { makeRig, plan, type Rig } from '../human/harness.js';

const PLAN = plan(
  'Manual',
  `    - id: solo
      name: "Solo"
      dependencies: []
      acceptance:
        - "test -f solo.txt"
      files:
        - "solo.txt"
      gate: auto
    - id: later
      name: "Later"
      dependencies: [solo]
      acceptance: []
      files:
        - "later.txt"`,
);

let manualCommand = '';

describe('flux run --manual', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await makeRig(PLAN);
    rig.writeSim('solo', {
      turns: [
        {
          say: 'by hand',
          context: 15,
          actions: [
            { write: { path: 'solo.txt', content: 'solo\n' } },
            { commit: 'Solo' },
            { flux: ['done'] },
            { exit: 0 },
          ],
        },
      ],
    });
  });
  afterAll(async () => {
    await rig.cleanup();
    await cleanupTempRepos();
  });

  it('prepares the ready stage and prints the command that starts it; nothing runs in tmux', async () => {
    const result = await rig.flux(['run', '--manual']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('solo is ready (session solo.s1). Start it in');
    expect(result.stdout).toMatch(/cd \S+\.worktrees\/solo && env FLUX_SESSION=solo\.s1 /);
    expect(result.stdout).not.toContain('later is ready');
    manualCommand = result.stdout
      .split('\n')
      .find((line) => line.trim().startsWith('cd '))!
      .trim();
    expect(rig.exists('.worktrees/solo/.work')).toBe(true);
    expect(rig.exists('.work/signals/solo.s1.md')).toBe(true);
    expect(await rig.tmuxSessions()).toEqual([]);
    const row = (await rig.status()).stages.find((s) => s.id === 'solo')!;
    expect(row).toMatchObject({
      status: 'running',
      session: { id: 'solo.s1', status: 'starting', tmux: '' },
    });
  });

  it('a second --manual starts nothing new for a stage already prepared', async () => {
    const result = await rig.flux(['run', '--manual']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('No stage can start now');
  });

  it('the printed command, run by hand, is followed through the hooks; `flux run` then merges', async () => {
    const shell = await execa('bash', ['-c', manualCommand], {
      cwd: rig.root,
      env: rig.env,
      reject: false,
      timeout: 60_000,
    });
    expect(shell.exitCode, shell.stderr).toBe(0);
    const types = rig
      .events()
      .filter((e) => 'session' in e && e.session === 'solo.s1')
      .map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['session.started', 'session.working', 'session.ended']));
    expect(rig.events().some((e) => e.type === 'stage.completed' && e.stage === 'solo')).toBe(true);
    const run = await rig.run();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await rig.stageStatus('solo')).toBe('merged');
  });
});
