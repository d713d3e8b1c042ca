/**
 * An ad hoc task started inside tmux: `flux task run` runs in a pane of the
 * (private) tmux server, so the agent gets a new pane in that window rather
 * than a session of its own. The pane's id is the session's target in the
 * log; liveness, attach, status and cleanup all go by it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FluxResult } from '../../helpers/cli.js';
import { dirtyScript, makeTaskRig, type TaskRig } from './harness.js';

describe('flux task inside tmux: a pane next to the person', () => {
  let rig: TaskRig;
  let started: FluxResult & { pane: string };
  const id = 'login-fix';
  let agentPane: string;

  beforeAll(async () => {
    rig = await makeTaskRig();
    rig.initWorkspace();
    // The agent commits one file and leaves its session alive (no `flux done`).
    rig.writeSim(id, {
      turns: [
        {
          say: 'Fixed the redirect.',
          context: 30,
          actions: [
            { write: { path: 'login.txt', content: 'fixed\n' } },
            { commit: 'Fix the login redirect' },
          ],
        },
      ],
    });
    started = await rig.inPane(['task', 'run', '--id', id, 'Fix the login redirect bug']);
    agentPane = /Tmux pane: (%\d+)/.exec(started.stdout)?.[1] ?? '';
  });
  afterAll(() => rig.cleanup());

  it('splits a pane in the current window and reports how to switch to it', async () => {
    expect(started.exitCode, started.stderr).toBe(0);
    expect(agentPane).toMatch(/^%\d+$/);
    expect(started.stdout).toMatch(/Tmux pane: %\d+ \(pane 1 of window \d+\)/);
    expect(started.stdout).toContain('Ctrl+b q 1');
    expect(started.stdout).toContain(`flux attach ${id}`);
    const panes = await rig.panes();
    const pane = panes.find((p) => p.id === agentPane);
    // Same session as the pane flux ran in, labelled with the Flux session it runs.
    expect(pane).toMatchObject({ session: 'human', label: `${id}.s1`, dead: false });
    expect(await rig.tmuxSessions()).toEqual(['human']);
    expect(rig.events().find((e) => e.type === 'task.created')).toMatchObject({
      placement: 'pane',
      tmux_session: `flux-proj-${id}`,
    });
    expect(rig.events().find((e) => e.type === 'session.started')).toMatchObject({ tmux: agentPane });
  });

  it('lists the live pane session for attaching, and flux run does not mark it crashed', async () => {
    await rig.waitForEvent('session.context', id);
    const attach = await rig.flux(['attach', 'list', '--json']);
    expect(JSON.parse(attach.stdout)).toMatchObject([{ session: agentPane, stage: id }]);
    const sessions = await rig.flux(['sessions', '--json']);
    expect(JSON.parse(sessions.stdout)).toMatchObject([{ id: `${id}.s1`, tmux: agentPane, tmuxAlive: true }]);
    // A monitor round (reconcile with tmux, scheduling) leaves the live task alone.
    const run = await rig.flux(['run']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(rig.events().some((e) => e.type === 'session.crashed')).toBe(false);
    const list = JSON.parse((await rig.flux(['task', 'list', '--json'])).stdout) as Array<{
      running: boolean;
      status: string;
    }>;
    expect(list).toMatchObject([{ running: true, status: 'running' }]);
  });

  it('status captures the pane', async () => {
    const status = await rig.flux(['task', 'status', id]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(`running in tmux pane ${agentPane}`);
    expect(status.stdout).toContain(`Recent activity (last 15 lines of tmux pane ${agentPane})`);
    expect(status.stdout).toContain(`flux ${id} · running`);
    expect(status.stdout).toContain(`watch it: \`flux attach ${id}\``);
  });

  it('cleanup from inside tmux merges the work and closes only the agent pane', async () => {
    const cleanup = await rig.inPane(['task', 'cleanup', id]);
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toContain(`closed its tmux pane ${agentPane}`.replace(/^c/, 'C'));
    const panes = await rig.panes();
    expect(panes.some((p) => p.id === agentPane)).toBe(false);
    // The person's panes are untouched.
    expect(panes.some((p) => p.id === started.pane)).toBe(true);
    expect(existsSync(path.join(rig.parent, `proj-${id}`))).toBe(false);
    expect(rig.git(['show', 'HEAD:login.txt'])).toBe('fixed');
    expect(
      rig
        .events()
        .filter((e) => e.session === `${id}.s1`)
        .at(-1),
    ).toMatchObject({
      type: 'session.ended',
      reason: 'task cleaned up',
    });
  });

  it('--session forces a detached session inside tmux', async () => {
    rig.writeSim('detached', dirtyScript('notes.txt', 'x\n'));
    const result = await rig.inPane(['task', 'run', '--id', 'detached', '--session', 'Write notes']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Session:   flux-proj-detached');
    expect(await rig.tmuxSessions()).toContain('flux-proj-detached');
  });
});
