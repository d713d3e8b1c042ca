/**
 * Task sessions get what every session gets: context tracking and handoffs.
 * A task's agent passes the threshold, writes its handoff and runs
 * `flux handoff`; `flux run` (with no plan at all) gives the task its fresh
 * session, in the same pane when the task runs in one (the pane is
 * respawned and keeps its id), whose first prompt carries the handoff. A
 * task whose agent died is resumed by `flux resume` in its detached session.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import { makeTaskRig, type TaskRig } from './harness.js';

const handoffScript = (id: string) => ({
  turns: [
    {
      say: 'First part.',
      context: 40,
      actions: [{ write: { path: `${id}-1.txt`, content: 'one\n' } }, { commit: 'Part one' }],
    },
    {
      say: 'Second part; my context is nearly full.',
      context: 80,
      actions: [{ write: { path: `${id}-2.txt`, content: 'two\n' } }, { commit: 'Part two' }],
    },
    {
      say: 'Last part; done.',
      context: 20,
      actions: [
        { write: { path: `${id}-3.txt`, content: 'three\n' } },
        { commit: 'Part three' },
        { flux: ['done'] },
      ],
    },
  ],
});

describe('flux task: handoffs and resume', () => {
  let rig: TaskRig;

  beforeAll(async () => {
    rig = await makeTaskRig();
    rig.initWorkspace();
  });
  afterAll(() => rig.cleanup());

  it('a task in a session hands off; flux run continues it in a fresh session that finishes it', async () => {
    const id = 'longjob';
    rig.writeSim(id, handoffScript(id));
    expect((await rig.flux(['task', 'run', '--id', id, 'A long job'])).exitCode).toBe(0);
    await rig.waitForEvent('stage.handoff_requested', id);
    const status = await rig.flux(['task', 'status', id]);
    expect(status.stdout).toContain(`\`flux resume ${id}\` continues in a fresh session`);

    const run = await rig.flux(['run']);
    expect(run.exitCode, run.stderr).toBe(0);
    const s2 = rig.events().find((e) => e.type === 'session.started' && e.session === `${id}.s2`);
    expect(s2).toMatchObject({ tmux: `flux-proj-${id}`, handoff: `handoffs/${id}-handoff-001.md` });
    const prompt = readFileSync(path.join(rig.root, '.work', 'signals', `${id}.s2.md`), 'utf8');
    expect(prompt).toContain(`# Flux task ${id}`);
    expect(prompt).toContain(`Continue from the handoff (.work/handoffs/${id}-handoff-001.md)`);
    await rig.waitForEvent('stage.completed', id);
    expect(rig.git(['log', '--format=%s', `main..feature/${id}`]).split('\n')).toEqual([
      'Part three',
      'Part two',
      'Part one',
    ]);
  });

  it('a task in a pane continues in the same pane', async () => {
    const id = 'panejob';
    rig.writeSim(id, handoffScript(id));
    const started = await rig.inPane(['task', 'run', '--id', id, 'A long job in a pane']);
    expect(started.exitCode, started.stderr).toBe(0);
    const pane = /Tmux pane: (%\d+)/.exec(started.stdout)?.[1];
    await rig.waitForEvent('stage.handoff_requested', id);
    const run = await rig.flux(['run']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(rig.events().find((e) => e.type === 'session.started' && e.session === `${id}.s2`)).toMatchObject({
      tmux: pane,
    });
    await rig.waitForEvent('stage.completed', id);
    expect((await rig.panes()).find((p) => p.id === pane)).toMatchObject({ label: `${id}.s2` });
  });

  it('a task whose agent died: flux resume starts a fresh session in its detached session', async () => {
    const id = 'crashy';
    rig.writeSim(id, {
      turns: [
        {
          say: 'Working, then dying.',
          context: 10,
          actions: [
            { write: { path: 'crashy.txt', content: 'x\n' } },
            { commit: 'Crashy work' },
            { crash: true },
          ],
        },
      ],
    });
    const started = await rig.inPane(['task', 'run', '--id', id, 'A job whose agent dies']);
    expect(started.exitCode, started.stderr).toBe(0);
    await rig.waitForEvent('session.crashed', id);
    const status = await rig.flux(['task', 'status', id]);
    expect(status.stdout).toContain('stopped');
    expect(status.stdout).toContain(`\`flux resume ${id}\``);
    // The dead pane stays (remain-on-exit) so its last lines can still be read.
    expect(status.stdout).toContain('Working, then dying.');

    rig.writeSim(id, { turns: [{ say: 'Back.', context: 5, actions: [{ flux: ['done'] }] }] });
    const resumed = await rig.flux(['resume', id]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(rig.events().find((e) => e.type === 'session.started' && e.session === `${id}.s2`)).toMatchObject({
      tmux: `flux-proj-${id}`,
    });
    await rig.waitForEvent('stage.completed', id);
    await waitFor(async () => ((await rig.tmuxSessions()).includes(`flux-proj-${id}`) ? true : undefined));
    const cleanup = await rig.flux(['task', 'cleanup', id]);
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    // Both the old (dead) pane and the new session go.
    expect(cleanup.stdout).toContain('tmux pane');
    expect(cleanup.stdout).toContain(`tmux session flux-proj-${id}`);
    expect((await rig.panes()).some((p) => p.id === /Tmux pane: (%\d+)/.exec(started.stdout)?.[1])).toBe(
      false,
    );
  });
});
