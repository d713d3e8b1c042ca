/**
 * Telling a person's process from one inside an agent session: the pure
 * parts with made-up pids and panes, and `identifyCaller` against this
 * test's real process tree (/proc) with a fake tmux server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  identifyCaller,
  isInsideAgent,
  sessionInEnvironment,
  sessionPanes,
  type LiveSession,
} from '../../src/effects/agent-ancestry.js';
import type { Tmux, TmuxPaneInfo } from '../../src/effects/tmux.js';
import { waitFor } from '../helpers/wait.js';

function pane(partial: Partial<TmuxPaneInfo> & { id: string; pid: number | null }): TmuxPaneInfo {
  return { index: 0, window: '@1', windowIndex: 0, session: 'person', dead: false, label: '', ...partial };
}

/** A tmux server that only lists panes, and counts how often it was asked. */
function fakeTmux(panes: TmuxPaneInfo[] | Error): Tmux & { asked: number } {
  const server = {
    asked: 0,
    listPanes: () => {
      server.asked++;
      return panes instanceof Error ? Promise.reject(panes) : Promise.resolve(panes);
    },
  };
  return server as unknown as Tmux & { asked: number };
}

describe('isInsideAgent', () => {
  it('is true when this process or one of its ancestors is a pane process', () => {
    expect(isInsideAgent([900, 800, 700, 1], new Set([700]))).toBe(true);
    expect(isInsideAgent([900, 800, 700, 1], new Set([900]))).toBe(true);
  });

  it('is false when none is, and for no panes or no ancestry', () => {
    expect(isInsideAgent([900, 800, 1], new Set([700, 600]))).toBe(false);
    expect(isInsideAgent([900, 800, 1], new Set())).toBe(false);
    expect(isInsideAgent([], new Set([700]))).toBe(false);
  });
});

describe('sessionPanes', () => {
  const live: LiveSession[] = [
    { id: 'api.s1', tmux: 'flux-api' },
    { id: 'fix.s2', tmux: '%7' },
    { id: 'manual.s1', tmux: '' },
  ];

  it("every pane of a live session's tmux session", () => {
    const panes = [
      pane({ id: '%1', pid: 101, session: 'flux-api' }),
      pane({ id: '%2', pid: 102, session: 'flux-api', windowIndex: 1 }),
      pane({ id: '%3', pid: 103, session: 'flux-web' }),
    ];
    expect(sessionPanes(panes, live)).toEqual(
      new Map([
        [101, 'api.s1'],
        [102, 'api.s1'],
      ]),
    );
  });

  it("a task's pane only while it carries the label Flux gave it; the person's panes beside it never", () => {
    const panes = [
      pane({ id: '%6', pid: 106, session: 'person' }),
      pane({ id: '%7', pid: 107, session: 'person', label: 'fix.s2' }),
    ];
    expect(sessionPanes(panes, live)).toEqual(new Map([[107, 'fix.s2']]));
    // Pane ids restart with the server: an unlabelled (or otherwise labelled) %7 is someone else's.
    expect(sessionPanes([pane({ id: '%7', pid: 107, session: 'person' })], live).size).toBe(0);
    expect(sessionPanes([pane({ id: '%7', pid: 107, label: 'fix.s1' })], live).size).toBe(0);
  });

  it('skips dead panes and panes without a pid', () => {
    const panes = [
      pane({ id: '%1', pid: 101, session: 'flux-api', dead: true }),
      pane({ id: '%2', pid: null, session: 'flux-api' }),
    ];
    expect(sessionPanes(panes, live).size).toBe(0);
  });
});

describe('sessionInEnvironment', () => {
  const live = new Set(['api.s1']);
  it('names a live session given in FLUX_SESSION, and nothing else', () => {
    expect(sessionInEnvironment(['PATH=/bin', 'FLUX_SESSION=api.s1'], live)).toBe('api.s1');
    expect(sessionInEnvironment(['FLUX_SESSION=api.s0'], live)).toBeNull();
    expect(sessionInEnvironment(['FLUX_SESSION='], live)).toBeNull();
    expect(sessionInEnvironment(['NOT_FLUX_SESSION=api.s1', 'X=FLUX_SESSION=api.s1'], live)).toBeNull();
  });
});

describe('identifyCaller (this process, real /proc, a fake tmux)', () => {
  const children: ChildProcess[] = [];
  const orphans: number[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const pid of orphans.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
  const noFlux: NodeJS.ProcessEnv = { PATH: process.env.PATH };

  it('reads nothing when the log has no session', async () => {
    const tmux = fakeTmux([pane({ id: '%1', pid: process.ppid, session: 'flux-api' })]);
    const caller = await identifyCaller({ sessions: [], servers: [tmux], env: { FLUX_SESSION: 'api.s1' } });
    expect(caller).toEqual({ kind: 'person' });
    expect(tmux.asked).toBe(0);
  });

  it('asks tmux only while a session is live, and in tmux (not flux run --manual)', async () => {
    const tmux = fakeTmux([pane({ id: '%1', pid: process.ppid, session: 'flux-api' })]);
    const ended = [{ id: 'api.s1', tmux: 'flux-api', live: false }];
    expect(await identifyCaller({ sessions: ended, servers: [tmux], env: noFlux })).toEqual({
      kind: 'person',
    });
    const manual = [{ id: 'm.s1', tmux: '', live: true }];
    expect(await identifyCaller({ sessions: manual, servers: [tmux], env: noFlux })).toEqual({
      kind: 'person',
    });
    expect(tmux.asked).toBe(0);
  });

  it("an agent when an ancestor is a live session's pane process", async () => {
    const tmux = fakeTmux([
      pane({ id: '%0', pid: 1_999_999, session: 'person' }),
      pane({ id: '%1', pid: process.ppid, session: 'flux-api' }),
    ]);
    const caller = await identifyCaller({
      sessions: [{ id: 'api.s1', tmux: 'flux-api', live: true }],
      servers: [tmux],
      env: noFlux,
    });
    expect(caller).toMatchObject({ kind: 'agent', session: 'api.s1' });
    expect(caller.kind === 'agent' && caller.evidence).toContain(`it descends from process ${process.ppid}`);
    expect(caller.kind === 'agent' && caller.evidence).toContain('the process of tmux session flux-api');
    expect(tmux.asked).toBe(1);
  });

  it("an agent in a task's pane: the pane id and its label", async () => {
    const tmux = fakeTmux([pane({ id: '%7', pid: process.pid, session: 'person', label: 'fix.s1' })]);
    const caller = await identifyCaller({
      sessions: [{ id: 'fix.s1', tmux: '%7', live: true }],
      servers: [tmux],
      env: noFlux,
    });
    expect(caller).toMatchObject({ kind: 'agent', session: 'fix.s1' });
    expect(caller.kind === 'agent' && caller.evidence).toContain(`it is process ${process.pid}`);
    expect(caller.kind === 'agent' && caller.evidence).toContain('the process of tmux pane %7');
  });

  it('a person when the only panes are elsewhere, or tmux cannot be asked', async () => {
    const sessions = [{ id: 'api.s1', tmux: 'flux-api', live: true }];
    const elsewhere = fakeTmux([pane({ id: '%1', pid: 1_999_999, session: 'flux-api' })]);
    expect(await identifyCaller({ sessions, servers: [elsewhere], env: noFlux })).toEqual({ kind: 'person' });
    const broken = fakeTmux(new Error('tmux exploded'));
    expect(await identifyCaller({ sessions, servers: [broken], env: noFlux })).toEqual({ kind: 'person' });
    expect(broken.asked).toBe(1);
  });

  it('its own FLUX_SESSION counts only when it names a session of the log', async () => {
    const sessions = [{ id: 'api.s1', tmux: 'flux-api', live: false }];
    const tmux = fakeTmux([]);
    expect(
      await identifyCaller({ sessions, servers: [tmux], env: { ...noFlux, FLUX_SESSION: 'api.s1' } }),
    ).toMatchObject({ kind: 'agent', session: 'api.s1' });
    expect(
      await identifyCaller({ sessions, servers: [tmux], env: { ...noFlux, FLUX_SESSION: 'other.s1' } }),
    ).toEqual({ kind: 'person' });
  });

  it('an agent when a process in its chain was started with FLUX_SESSION, though it dropped the variable', async () => {
    // `sh` was started inside the session (FLUX_SESSION set); its child `sleep` unset it.
    const agent = spawn('/bin/sh', ['-c', 'env -u FLUX_SESSION sleep 30 & echo $!; wait'], {
      env: { ...noFlux, FLUX_SESSION: 'api.s1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(agent);
    let output = '';
    agent.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const sleeper = await waitFor(() => (/^\d+\n/.test(output) ? Number(output.trim()) : undefined), {
      what: 'the child pid',
    });
    orphans.push(sleeper);
    // The log already says the session ended: its agent may still run until Flux closes its tmux session.
    const caller = await identifyCaller({
      sessions: [{ id: 'api.s1', tmux: 'flux-api', live: false }],
      servers: [fakeTmux([])],
      pid: sleeper,
      env: noFlux,
    });
    expect(caller).toMatchObject({ kind: 'agent', session: 'api.s1' });
    expect(caller.kind === 'agent' && caller.evidence).toContain(`process ${agent.pid} (sh)`);
  });
});
