/**
 * The supervisor: work keeps moving while the person is away. Real git, real
 * tmux on a private socket, the simulated agent, the bundled `flux`.
 *
 * - a foreground `flux run` (no terminal) keeps watching while a session
 *   waits for a permission answer, and `flux approve` leads to merged;
 * - `flux run --detach` carries a diamond plan to merged while the test only
 *   approves stages;
 * - with no supervisor, `flux verify --approve` starts the dependents and a
 *   supervisor to carry on; `--no-start` does not;
 * - `flux status` shows it, `flux stop` ends it (sessions stay, or go with
 *   `--sessions`);
 * - a supervisor killed with SIGKILL is replaced, and the plan converges.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  fluxStatus,
  fluxWorkspace,
  ofType,
  planDocument,
  type FluxWorkspace,
} from '../helpers/flux-run.js';
import { waitFor } from '../helpers/wait.js';

interface Supervisor {
  running: boolean;
  pid?: number;
  since?: string;
}

let ws: FluxWorkspace | undefined;

afterEach(async () => {
  if (ws !== undefined) {
    await ws.flux(['stop'], { env: { FLUX_SUPERVISOR: 'auto' } }).catch(() => undefined);
    await ws.cleanup();
  }
  ws = undefined;
});

function stage(id: string, deps: string[], gate: 'human' | 'auto'): string {
  return `    - id: ${id}
      name: "Stage ${id}"
      description: "Writes out/${id}.txt"
      dependencies: [${deps.join(', ')}]
      gate: ${gate}
      acceptance:
        - "test -f out/${id}.txt"
      files:
        - "out/${id}.txt"`;
}

function writes(id: string, before: object[] = []): object {
  return {
    turns: [
      {
        say: `Writing ${id}.`,
        context: 10,
        actions: [
          ...before,
          { write: { path: `out/${id}.txt`, content: `${id}\n` } },
          { commit: `${id}: its file` },
          { flux: ['done'] },
        ],
      },
    ],
  };
}

const auto = { FLUX_SUPERVISOR: 'auto' };

async function supervisor(w: FluxWorkspace): Promise<Supervisor> {
  const result = await w.flux(['status', '--json']);
  return (JSON.parse(result.stdout) as { supervisor: Supervisor }).supervisor;
}

async function waitMerged(w: FluxWorkspace, ids: string[], timeoutMs = 90_000): Promise<void> {
  await waitFor(
    () => (ids.every((id) => ofType(w.events(), 'stage.merged', id).length > 0) ? true : undefined),
    { timeoutMs, intervalMs: 200, what: `${ids.join(', ')} merged` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${describeWorkspace(w)}`);
  });
}

async function waitStatus(w: FluxWorkspace, id: string, status: string): Promise<void> {
  await waitFor(
    async () =>
      (await fluxStatus(w.flux)).stages.find((s) => s.id === id)?.status === status ? true : undefined,
    { timeoutMs: 90_000, intervalMs: 200, what: `${id} ${status}` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${describeWorkspace(w)}`);
  });
}

describe('the supervisor', () => {
  it('a foreground run keeps watching through a permission question; flux approve leads to merged', async () => {
    ws = await fluxWorkspace({
      plan: planDocument(
        'Permission',
        [stage('ask', [], 'auto'), stage('after', ['ask'], 'auto')].join('\n'),
      ),
      sims: {
        ask: writes('ask', [
          { permission: { tool: 'Bash', input: { command: 'curl https://example.invalid' } } },
        ]),
        after: writes('after'),
      },
    });
    const run = ws.startRun();
    const w = ws;
    await waitFor(
      async () =>
        (await fluxStatus(w.flux)).stages[0]?.session?.status === 'waiting_permission' ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 200, what: 'the permission question' },
    );
    // It is still watching: the question is for a person, and the run must be there after the answer.
    expect(run.child.exitCode).toBeNull();
    const approved = await ws.flux(['approve', 'ask']);
    expect(approved.exitCode, approved.stderr).toBe(0);
    const result = await run.finished(90_000);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('All 2 stages are merged into main.');
    expect(await ws.git(['show', 'main:out/after.txt'])).toBe('after');
  }, 180_000);

  it('flux run --detach carries a diamond plan to merged; the person only approves', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    ws = await fluxWorkspace({
      plan: planDocument(
        'Diamond',
        [
          stage('a', [], 'human'),
          stage('b', ['a'], 'human'),
          stage('c', ['a'], 'human'),
          stage('d', ['b', 'c'], 'human'),
        ].join('\n'),
      ),
      sims: Object.fromEntries(ids.map((id) => [id, writes(id)])),
    });
    const detached = await ws.flux(['run', '--detach'], { env: auto });
    expect(detached.exitCode, detached.stderr).toBe(0);
    expect(detached.stdout).toMatch(/^Started the supervisor \(pid \d+, since .*\)\.\n/);
    expect(detached.stdout).toContain(
      'Watch it with `flux ui` (or `flux status`); stop it with `flux stop`.',
    );
    const first = await supervisor(ws);
    expect(first).toMatchObject({ running: true, pid: expect.any(Number), version: expect.any(String) });
    // A second --detach finds it.
    const again = await ws.flux(['run', '--detach'], { env: auto });
    expect(again.stdout).toContain(`The supervisor is already running (pid ${first.pid}`);

    for (const id of ids) {
      await waitStatus(ws, id, 'completed');
      const approved = await ws.flux(['verify', id, '--approve'], { env: auto });
      expect(approved.exitCode, approved.stderr).toBe(0);
    }
    await waitMerged(ws, ids);
    // Its work done, it ends by itself.
    await waitFor(async () => ((await supervisor(ws!)).running ? undefined : true), {
      timeoutMs: 20_000,
      what: 'the supervisor to end',
    });
    expect(await ws.git(['status', '--porcelain'])).toBe('');
    expect(await ws.git(['branch', '--list', 'flux/*'])).toBe('');
  }, 240_000);

  it('with no supervisor, flux verify --approve starts the dependents and one to carry on; --no-start does not', async () => {
    ws = await fluxWorkspace({
      plan: planDocument(
        'Approve starts',
        [
          stage('a', [], 'human'),
          stage('x', [], 'human'),
          stage('b', ['a'], 'auto'),
          stage('y', ['x'], 'auto'),
        ].join('\n'),
      ),
      sims: { a: writes('a'), b: writes('b'), x: writes('x'), y: writes('y') },
    });
    const run = await ws.flux(['run']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await supervisor(ws)).running).toBe(false);

    const quiet = await ws.flux(['verify', 'x', '--approve', '--no-start'], { env: auto });
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect(quiet.stdout).toContain('No supervisor is running (--no-start): `flux run` carries on from here.');
    expect((await supervisor(ws)).running).toBe(false);
    expect(ofType(ws.events(), 'stage.started', 'y')).toHaveLength(0);

    const approved = await ws.flux(['verify', 'a', '--approve'], { env: auto });
    expect(approved.exitCode, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/Started the supervisor \(pid \d+\) to carry on; it started b, y:/);
    // The dependent's session was started by the approval itself, before the supervisor.
    expect(ofType(ws.events(), 'stage.started', 'b')).toHaveLength(1);
    await waitMerged(ws, ['b', 'y']);
  }, 180_000);

  it('flux stop ends it and leaves the sessions; --sessions ends them too', async () => {
    ws = await fluxWorkspace({
      plan: planDocument('Stop', stage('slow', [], 'human')),
      sims: { slow: { turns: [{ say: 'Slow.', context: 5, actions: [{ sleep: 300_000 }] }] } },
    });
    expect((await ws.flux(['run', '--detach'], { env: auto })).exitCode).toBe(0);
    const w = ws;
    await waitFor(async () => ((await w.tmuxSessions()).length > 0 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the session',
    });
    const { pid } = await supervisor(ws);
    const status = await ws.flux(['status']);
    expect(status.stdout).toContain(`Supervisor: running (pid ${pid}`);
    const stopped = await ws.flux(['stop']);
    expect(stopped.stdout).toContain(`Stopped the supervisor (pid ${pid}).`);
    expect(stopped.stdout).toContain('1 session(s) keep running in tmux');
    expect((await supervisor(ws)).running).toBe(false);
    expect(await ws.tmuxSessions()).toEqual(['flux-slow']);
    expect((await ws.flux(['stop'])).stdout).toContain('No supervisor is running.');
    const all = await ws.flux(['stop', '--sessions']);
    expect(all.stdout).toContain('Ended 1 session(s): slow.s1.');
    expect(await ws.tmuxSessions()).toEqual([]);
  }, 120_000);

  it('a supervisor killed with SIGKILL is replaced by the next command, and the plan converges', async () => {
    const ids = ['p', 'q', 'r'];
    ws = await fluxWorkspace({
      plan: planDocument(
        'Kill',
        [stage('p', [], 'auto'), stage('q', ['p'], 'auto'), stage('r', ['q'], 'auto')].join('\n'),
      ),
      sims: Object.fromEntries(ids.map((id) => [id, writes(id, [{ sleep: 400 }])])),
    });
    for (let kill = 0; kill < 3; kill++) {
      const started = await ws.flux(['run', '--detach'], { env: auto });
      expect(started.exitCode, started.stderr).toBe(0);
      const { pid } = await supervisor(ws);
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1200));
      try {
        process.kill(pid!, 'SIGKILL');
      } catch {
        // It finished first.
      }
    }
    // A foreground run (a script's) sees no supervisor and does the rest itself.
    const last = await ws.flux(['run']);
    expect(last.exitCode, `${last.stdout}\n${last.stderr}`).toBe(0);
    await waitMerged(ws, ids);
    // A supervisor that was still alive (the kill came after it finished its round, or one a run
    // started to replace it) does the last cleanups and then ends: wait for that, then look.
    await waitFor(async () => ((await supervisor(ws!)).running ? undefined : true), {
      timeoutMs: 30_000,
      what: 'no supervisor running',
    });
    for (const id of ids) expect(ofType(ws.events(), 'stage.merged', id)).toHaveLength(1);
    expect(await ws.git(['status', '--porcelain'])).toBe('');
    expect(await ws.worktrees(), describeWorkspace(ws)).toEqual([{ path: ws.root, branch: 'main' }]);
  }, 180_000);
});
