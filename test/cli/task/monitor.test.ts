/**
 * Tasks beside a plan, in one log: `flux init` after a task keeps the task;
 * `flux run` runs the plan and leaves the task alone (no start, no merge, no
 * slot taken, no waiting on its idle agent); `flux status` shows both.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDocument } from '../../helpers/flux-run.js';
import { makeTaskRig, type TaskRig } from './harness.js';

const PLAN = planDocument(
  'One stage',
  `    - id: stage-a
      name: "Stage A"
      description: "Write a.txt"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f a.txt"
      files:
        - "a.txt"`,
);

describe('flux run with a plan and an ad hoc task', () => {
  let rig: TaskRig;

  beforeAll(async () => {
    rig = await makeTaskRig();
    rig.initWorkspace();
    // The task's agent commits and stays (idle, alive): it must not hold a slot or keep `flux run` waiting.
    rig.writeSim('side', {
      turns: [
        {
          say: 'Side work committed.',
          context: 10,
          actions: [{ write: { path: 'side.txt', content: 'side work\n' } }, { commit: 'Side work' }],
        },
      ],
    });
    expect((await rig.flux(['task', 'run', '--id', 'side', 'Side work'])).exitCode).toBe(0);
    await rig.waitForEvent('session.context', 'side');
    rig.commit('Add the plan', { 'doc/PLAN.md': PLAN });
  });
  afterAll(() => rig.cleanup());

  it('flux init after a task keeps the task', async () => {
    const init = await rig.flux(['init', 'doc/PLAN.md']);
    expect(init.exitCode, init.stderr).toBe(0);
    const status = JSON.parse((await rig.flux(['status', '--json'])).stdout) as {
      stages: Array<{ id: string; status: string }>;
      tasks: Array<{ id: string; status: string }>;
    };
    expect(status.stages).toMatchObject([{ id: 'stage-a', status: 'ready' }]);
    expect(status.tasks).toMatchObject([{ id: 'side', status: 'running' }]);
  });

  it('flux run with one slot runs the stage beside the live task, merges the stage only, and returns', async () => {
    const run = await rig.flux(['run', '--max-parallel', '1']);
    expect(run.exitCode, run.stderr).toBe(0);
    const status = JSON.parse((await rig.flux(['status', '--json'])).stdout) as {
      stages: Array<{ id: string; status: string }>;
      tasks: Array<{ id: string; status: string; session: { status: string } }>;
    };
    expect(status.stages).toMatchObject([{ id: 'stage-a', status: 'merged' }]);
    expect(status.tasks).toMatchObject([{ id: 'side', status: 'running' }]);
    expect(status.tasks[0]).toMatchObject({ session: { status: 'idle' } });
    expect(rig.branchExists('feature/side')).toBe(true);
    expect(existsSync(path.join(rig.parent, 'proj-side'))).toBe(true);
    expect(rig.events().some((e) => e.type === 'stage.verified' && e.stage === 'side')).toBe(false);
    const text = (await rig.flux(['status'])).stdout;
    expect(text).toContain('1 of 1 merged');
    expect(text).toContain('Tasks (1 open');
  });

  it('the task still cleans up into the branch the plan merged into', async () => {
    const cleanup = await rig.flux(['task', 'cleanup', 'side']);
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(rig.git(['show', 'main:side.txt'])).toBe('side work');
    expect(rig.git(['show', 'main:a.txt'])).toBeTruthy();
  });
});
