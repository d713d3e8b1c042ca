/**
 * Stages on a host under real faults, over a real OpenSSH server on 127.0.0.1
 * (test/helpers/sshd.ts; the "host" is this machine reached as its own user):
 * the agent killed there, the connection cut mid-stage, a host that never
 * answers, a host without Node, and the monitor killed while a host's
 * session works. Each converges as docs/hosts.md says.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  watch,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CRASH_RESTARTS } from '../../src/engine/scheduler.js';
import { projectKey } from '../../src/hosts/layout.js';
import {
  describeWorkspace,
  doubledSessions,
  finalStatuses,
  fluxWorkspace,
  ofType,
  planDocument,
  type FluxWorkspace,
  type LogEvent,
  type RunningFlux,
} from '../helpers/flux-run.js';
import { privateTmuxOn, type PrivateTmux } from '../helpers/private-tmux.js';
import { freePort, sshdSkipReason, startSshd, type TestSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/wait.js';

const toml = (value: unknown) => JSON.stringify(value);

/** This file's private tmux sockets: `he-<random>` (a host's is `<socket>-<host>`). */
const heSocket = () => `he-${randomBytes(6).toString('hex')}`;

function hostToml(name: string, server: { port: number; target: string; sshOptions: string[] }, dir: string) {
  return `\n[hosts.${name}]\nssh = ${toml(server.target)}\nport = ${server.port}\nssh_options = ${toml(server.sshOptions)}\ndir = ${toml(dir)}\n`;
}

/** `[run] hosts = …` and extra TOML (hosts, pins) in the workspace's config. */
function configure(ws: FluxWorkspace, hosts: string[], extra: string): void {
  const config = path.join(ws.root, '.work', 'config.toml');
  execFileSync('sed', ['-i', `s/^hosts = \\["local"\\]$/hosts = ${toml(hosts)}/`, config]);
  appendFileSync(config, extra);
}

function oneStagePlan(id: string, file: string): string {
  return planDocument(
    `One stage, ${id}`,
    `    - id: ${id}
      name: "The ${id} stage"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f ${file}"
      files:
        - "${file}"`,
  );
}

/** A turn that writes `file`, commits it and says `flux done`. */
const finish = (file: string, context = 30) => ({
  say: `Writing ${file}.`,
  context,
  actions: [{ write: { path: file, content: `${file}\n` } }, { commit: `add ${file}` }, { flux: ['done'] }],
});

/** The pid of the agent in a tmux session: the one child of the pane's sh. */
async function agentPid(tmux: PrivateTmux, session: string): Promise<number | undefined> {
  const pane = await tmux.tmux(['list-panes', '-t', `=${session}:`, '-F', '#{pane_pid}']);
  if (pane.exitCode !== 0) return undefined;
  try {
    const children = execFileSync('pgrep', ['-P', pane.stdout.trim()], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((line) => line !== '');
    return children.length === 1 ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of the pane's sh (the exit reporter that wraps the agent). */
async function paneShell(tmux: PrivateTmux, session: string): Promise<number> {
  const pane = await tmux.tmux(['list-panes', '-t', `=${session}:`, '-F', '#{pane_pid}']);
  if (pane.exitCode !== 0) throw new Error(`no tmux session ${session} on the host: ${pane.stderr}`);
  return Number(pane.stdout.trim());
}

/** The session's session.started, once its UserPromptSubmit came back (the agent is up, at work). */
async function sessionAtWork(ws: FluxWorkspace, session: string): Promise<LogEvent> {
  await eventually(`${session} to be working`, () =>
    ofType(ws.events(), 'session.working').find((e) => e.session === session),
  );
  return ofType(ws.events(), 'session.started').find((e) => e.session === session)!;
}

const eventually = <T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000) =>
  waitFor(() => probe() || undefined, { what, timeoutMs, intervalMs: 100 });

/** Fails with the workspace's log and the run's output. */
async function explained<T>(ws: FluxWorkspace, run: RunningFlux | undefined, body: () => Promise<T>) {
  try {
    return await body();
  } catch (error) {
    run?.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${describeWorkspace(ws, run)}`);
  }
}

describe.skipIf(sshdSkipReason() !== undefined)('stages on a host under faults', () => {
  describe('the agent killed with SIGKILL on the host, then its whole pane', () => {
    let sshd: TestSshd;
    let ws: FluxWorkspace;
    let hostTmux: PrivateTmux;
    let events: LogEvent[];
    let exitCode: number;

    beforeAll(async () => {
      sshd = await startSshd();
      ws = await fluxWorkspace({
        tmuxSocket: heSocket(),
        plan: oneStagePlan('slow', 'src/slow.txt'),
        // The first two sessions sleep until they are killed; the third plays the short script.
        sims: {
          slow: { turns: [{ say: 'Sleeping on the host.', context: 10, actions: [{ sleep: 120_000 }] }] },
        },
      });
      configure(ws, ['box1'], hostToml('box1', sshd, path.join(sshd.home, 'flux')));
      hostTmux = privateTmuxOn(`${ws.tmux.socket}-box1`);
      const run = ws.startRun();
      await explained(ws, run, async () => {
        // s1: the agent alone killed; the pane's sh reports its exit (relayed AgentExit).
        const s1 = await sessionAtWork(ws, 'slow.s1');
        const agent = await waitFor(() => agentPid(hostTmux, String(s1.tmux)), {
          what: "s1's agent pid in the host's tmux session",
          timeoutMs: 20_000,
          intervalMs: 100,
        });
        process.kill(agent, 'SIGKILL');
        // s2: the agent and the pane's sh killed at once (one kill(1)): nobody reports the exit
        // (the agent cannot run its SessionEnd hook, the sh cannot run its exit report), the tmux
        // session ends, and only the liveness round over ssh can see it.
        const s2 = await sessionAtWork(ws, 'slow.s2');
        const sh = await paneShell(hostTmux, String(s2.tmux));
        const agent2 = await waitFor(() => agentPid(hostTmux, String(s2.tmux)), {
          what: "s2's agent pid in the host's tmux session",
          timeoutMs: 20_000,
          intervalMs: 100,
        });
        ws.writeSim('slow', { turns: [finish('src/slow.txt')] });
        execFileSync('kill', ['-KILL', String(agent2), String(sh)]);
        exitCode = (await run.finished(120_000)).exitCode;
      });
      events = ws.events();
    }, 180_000);
    afterAll(async () => {
      await ws?.cleanup();
      await hostTmux?.killServer();
      await sshd?.close();
    });

    it("each kill is recorded as a crash: s1's by the relayed exit report, s2's by liveness over ssh", () => {
      const crashed = ofType(events, 'session.crashed', 'slow');
      expect(
        crashed.map((e) => e.session),
        describeWorkspace(ws),
      ).toEqual(['slow.s1', 'slow.s2']);
      expect(crashed[0]!.reason).toBe('the agent was killed by signal 9');
      const s2 = ofType(events, 'session.started', 'slow')[1]!;
      expect(crashed[1]!.reason).toBe(`its tmux session ${String(s2.tmux)} is gone`);
    });

    it(`the stage is started again on the host (within MAX_CRASH_RESTARTS = ${MAX_CRASH_RESTARTS}) and merges`, () => {
      const started = ofType(events, 'session.started', 'slow');
      expect(started.map((e) => [e.session, e.host])).toEqual([
        ['slow.s1', 'box1'],
        ['slow.s2', 'box1'],
        ['slow.s3', 'box1'],
      ]);
      expect(started.length - 1).toBeLessThanOrEqual(MAX_CRASH_RESTARTS);
      expect(doubledSessions(events)).toEqual([]);
      expect(finalStatuses(events).stages).toEqual({ slow: 'merged' });
      expect(exitCode).toBe(0);
      expect(ws.read('src/slow.txt')).toBe('src/slow.txt\n');
    });
  });

  describe('the connection cut mid-stage', () => {
    let sshd: TestSshd;
    let ws: FluxWorkspace;
    let hostTmux: PrivateTmux;
    let events: LogEvent[];
    let exitCode: number;
    let spool: string;
    /** Every request file the host's calls wrote into the spool (inotify on the host's folder). */
    const written = new Set<string>();
    let sawUnreachable = false;
    /** When sshd was stopped and started again (ms). */

    beforeAll(async () => {
      sshd = await startSshd();
      const pause = { sleep: 1500 };
      ws = await fluxWorkspace({
        tmuxSocket: heSocket(),
        plan: oneStagePlan('steady', 'src/steady.txt'),
        sims: {
          steady: {
            turns: [
              { say: 'Turn one.', context: 11, actions: [pause] },
              {
                say: 'Turn two.',
                context: 22,
                actions: [{ write: { path: 'src/part.txt', content: 'part\n' } }, { commit: 'part' }, pause],
              },
              { say: 'Turn three.', context: 33, actions: [pause] },
              { say: 'Turn four.', context: 44, actions: [pause] },
              finish('src/steady.txt', 55),
            ],
          },
        },
      });
      const dir = path.join(sshd.home, 'flux');
      configure(ws, ['box1'], hostToml('box1', sshd, dir));
      hostTmux = privateTmuxOn(`${ws.tmux.socket}-box1`);
      // The spool the host's calls write to, made first so that none is missed.
      spool = path.join(dir, projectKey(realpathSync(ws.root)), 'work', 'spool');
      mkdirSync(spool, { recursive: true });
      const watcher = watch(spool, (_kind, name) => {
        if (name !== null && /^\d{13}-.+\.json$/.test(name)) written.add(name);
      });
      const run = ws.startRun();
      try {
        await explained(ws, run, async () => {
          // Cut after the first turn's figure came back, while the agent goes on.
          await eventually('the first turn to be recorded', () =>
            ofType(ws.events(), 'session.context').find((e) => e.session === 'steady.s1'),
          );
          await sshd.stop();
          try {
            await waitFor(() => ofType(ws.events(), 'host.unreachable')[0], {
              what: 'box1 recorded unreachable',
              timeoutMs: 30_000,
              intervalMs: 100,
            });
            sawUnreachable = true;
          } catch {
            // Asserted below only if it is seen (the liveness round may fall between).
          }
          await sshd.start();
          exitCode = (await run.finished(180_000)).exitCode;
        });
      } finally {
        watcher.close();
      }
      events = ws.events();
    }, 300_000);
    afterAll(async () => {
      await ws?.cleanup();
      await hostTmux?.killServer();
      await sshd?.close();
    });

    it('the stage still runs to merged on the host', () => {
      expect(exitCode, describeWorkspace(ws)).toBe(0);
      expect(finalStatuses(events).stages).toEqual({ steady: 'merged' });
      expect(ofType(events, 'session.started', 'steady').map((e) => e.host)).toEqual(['box1']);
      expect(ws.read('src/part.txt')).toBe('part\n');
    });

    it("every turn's figure is in the log exactly once, in order", () => {
      const figures = ofType(events, 'session.context', 'steady').map((e) => e.percent ?? e.context);
      expect(figures, describeWorkspace(ws)).toEqual([11, 22, 33, 44, 55]);
      expect(ofType(events, 'stage.completed', 'steady')).toHaveLength(1);
      expect(ofType(events, 'session.ended', 'steady')).toHaveLength(1);
    });

    it('every request the host wrote while the run watched was applied here once (a kept reply each)', () => {
      // The run ends once the stage is merged; what the agent's last moments write after that
      // (its session already over) waits in the spool for the next run, which answers it.
      const merged = Date.parse(ofType(events, 'stage.merged', 'steady')[0]!.at);
      const watched = [...written].filter((name) => Number(name.slice(0, 13)) <= merged);
      const ids = watched.map((name) => name.replace(/^\d{13}-/, '').replace(/\.json$/, ''));
      expect(ids.length).toBeGreaterThan(10);
      // Whether the agent happened to call a hook inside the cut depends on the machine's load:
      // test/hosts/relay-sshd.test.ts writes calls while the link is down, every time.
      const kept = readdirSync(path.join(ws.root, '.work', 'hosts', 'box1', 'replies'))
        .filter((name) => name.endsWith('.json'))
        .map((name) => name.replace(/\.json$/, ''));
      for (const id of ids) expect(kept).toContain(id);
      // A kept reply is one request's: nothing was applied that the host did not write.
      const all = [...written].map((name) => name.replace(/^\d{13}-/, '').replace(/\.json$/, ''));
      for (const id of kept) expect(all).toContain(id);
      // What is still in the spool was written after the merge, or answered here already.
      for (const name of readdirSync(spool)) {
        const id = name.replace(/^\d{13}-/, '').replace(/\.json$/, '');
        expect(Number(name.slice(0, 13)) > merged || kept.includes(id), name).toBe(true);
      }
      const relayLog = path.join(ws.root, '.work', 'logs', 'relay.log');
      if (existsSync(relayLog)) expect(ws.read('.work/logs/relay.log')).not.toMatch(/refused|not a request/);
    });

    it('the cut was seen: host.unreachable then host.reachable (when the liveness round saw it)', () => {
      const away = ofType(events, 'host.unreachable');
      const back = ofType(events, 'host.reachable');
      if (sawUnreachable) {
        expect(away[0]!.host).toBe('box1');
        expect(back.length).toBeGreaterThanOrEqual(1);
        expect(back[0]!.seq).toBeGreaterThan(away[0]!.seq);
      } else {
        expect(away).toEqual([]);
      }
    });
  });

  describe('a host that never answers', () => {
    let sshd: TestSshd;
    let gone: { port: number; target: string; sshOptions: string[] };

    beforeAll(async () => {
      // A server to borrow a user and key from; the host named `gone` has nothing on its port.
      sshd = await startSshd();
      gone = { port: await freePort(), target: sshd.target, sshOptions: sshd.sshOptions };
    }, 60_000);
    afterAll(async () => {
      await sshd?.close();
    });

    const plan = planDocument(
      'Two stages, a host gone',
      `    - id: alpha
      name: "Alpha"
      dependencies: []
      gate: auto
      acceptance: ["test -f src/alpha.txt"]
      files: ["src/alpha.txt"]
    - id: beta
      name: "Beta"
      dependencies: []
      gate: auto
      acceptance: ["test -f src/beta.txt"]
      files: ["src/beta.txt"]`,
    );

    it('unpinned: recorded unreachable, shown by flux status, notified; the stages run here and merge', async () => {
      const ws = await fluxWorkspace({
        tmuxSocket: heSocket(),
        plan,
        sims: { alpha: { turns: [finish('src/alpha.txt')] }, beta: { turns: [finish('src/beta.txt')] } },
      });
      try {
        configure(ws, ['gone', 'local'], hostToml('gone', gone, path.join(sshd.home, 'gone')));
        const run = ws.startRun();
        const result = await explained(ws, run, () => run.finished(120_000));
        const events = ws.events();
        expect(result.exitCode, describeWorkspace(ws, run)).toBe(0);
        const away = ofType(events, 'host.unreachable');
        expect(away.map((e) => e.host)).toEqual(['gone']);
        expect(String(away[0]!.reason)).toMatch(/Connection refused/);
        const notices = ofType(events, 'notification.sent').filter((e) => e.kind === 'host');
        expect(notices).toHaveLength(1);
        expect(String(notices[0]!.title)).toContain('gone');
        const started = ofType(events, 'session.started');
        expect(started.length).toBe(2);
        for (const event of started) expect(event.host ?? 'local').toBe('local');
        expect(finalStatuses(events).stages).toEqual({ alpha: 'merged', beta: 'merged' });
        const status = await ws.flux(['status'], { env: { COLUMNS: '200' } });
        expect(status.stdout).toMatch(/host gone unreachable since \d\d:\d\d \(.*Connection refused/);
      } finally {
        await ws.cleanup();
      }
    }, 150_000);

    it('pinned to it: the stage waits (not failed, no session) while the other merges here; once the host answers it runs there', async () => {
      // A real server, stopped before the run: `gone` refuses connections until it is started again.
      const later = await startSshd();
      await later.stop();
      const ws = await fluxWorkspace({
        tmuxSocket: heSocket(),
        plan,
        sims: { alpha: { turns: [finish('src/alpha.txt')] }, beta: { turns: [finish('src/beta.txt')] } },
      });
      const hostTmux = privateTmuxOn(`${ws.tmux.socket}-gone`);
      configure(
        ws,
        ['gone', 'local'],
        hostToml('gone', later, path.join(later.home, 'flux')) + '\n[stages.alpha]\nhost = "gone"\n',
      );
      const run = ws.startRun();
      try {
        await explained(ws, run, async () => {
          await eventually(
            'beta to merge',
            () => finalStatuses(ws.events()).stages.beta === 'merged',
            90_000,
          );
          let events = ws.events();
          expect(ofType(events, 'host.unreachable').map((e) => e.host)).toEqual(['gone']);
          expect(ofType(events, 'session.started', 'alpha')).toEqual([]);
          expect(ofType(events, 'stage.failed', 'alpha')).toEqual([]);
          const status = JSON.parse((await ws.flux(['status', '--json'])).stdout) as {
            stages: Array<{ id: string; status: string; host: string | null }>;
          };
          expect(status.stages.find((s) => s.id === 'alpha')).toMatchObject({ status: 'ready', host: null });
          expect(run.child.exitCode).toBeNull();

          await later.start();
          const result = await run.finished(120_000);
          events = ws.events();
          expect(result.exitCode).toBe(0);
          expect(ofType(events, 'host.reachable').map((e) => e.host)).toEqual(['gone']);
          expect(ofType(events, 'session.started', 'alpha').map((e) => e.host)).toEqual(['gone']);
          expect(ofType(events, 'stage.failed')).toEqual([]);
          expect(finalStatuses(events).stages).toEqual({ alpha: 'merged', beta: 'merged' });
        });
      } finally {
        run.kill('SIGKILL');
        await ws.cleanup();
        await hostTmux.killServer();
        await later.close();
      }
    }, 200_000);
  });

  describe('a host without node, named in run.hosts', () => {
    let sshd: TestSshd;
    let ws: FluxWorkspace;
    let noNodeBin: string;

    beforeAll(async () => {
      // A login whose PATH has sh, git and tmux but no node (as test/cli/doctor-hosts.test.ts).
      noNodeBin = mkdtempSync(path.join(os.tmpdir(), 'flux-no-node-'));
      for (const tool of ['sh', 'git', 'tmux', 'mkdir', 'pwd', 'true'])
        symlinkSync(path.join('/usr/bin', tool), path.join(noNodeBin, tool));
      sshd = await startSshd({ loginPath: noNodeBin });
      ws = await fluxWorkspace({
        tmuxSocket: heSocket(),
        plan: oneStagePlan('lone', 'src/lone.txt'),
        sims: { lone: { turns: [finish('src/lone.txt')] } },
      });
      configure(ws, ['nonode', 'local'], hostToml('nonode', sshd, path.join(sshd.home, 'flux')));
    }, 60_000);
    afterAll(async () => {
      await ws?.cleanup();
      await sshd?.close();
      if (noNodeBin !== undefined) rmSync(noNodeBin, { recursive: true, force: true });
    });

    it("flux run exits 2 with doctor's words, and nothing starts", async () => {
      const run = ws.startRun();
      const result = await explained(ws, run, () => run.finished(60_000));
      expect(result.exitCode, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toMatch(/nonode/);
      expect(result.stderr).toMatch(/node/i);
      expect(result.stderr).toMatch(/flux doctor/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const log = path.join(ws.root, '.work', 'events.jsonl');
      const events = existsSync(log) ? ws.events() : [];
      expect(ofType(events, 'session.started')).toEqual([]);
      expect(ofType(events, 'stage.started')).toEqual([]);
      expect(await ws.tmuxSessions()).toEqual([]);
    });
  });

  describe('the monitor killed with SIGKILL while a host session works', () => {
    let sshd: TestSshd;
    let ws: FluxWorkspace;
    let hostTmux: PrivateTmux;
    let events: LogEvent[];
    const exits: number[] = [];

    beforeAll(async () => {
      sshd = await startSshd();
      ws = await fluxWorkspace({
        tmuxSocket: heSocket(),
        plan: oneStagePlan('long', 'src/long.txt'),
        sims: {
          long: {
            turns: [
              {
                say: 'First part.',
                context: 10,
                actions: [
                  { write: { path: 'src/one.txt', content: 'one\n' } },
                  { commit: 'one' },
                  { sleep: 3000 },
                ],
              },
              finish('src/long.txt', 20),
            ],
          },
        },
      });
      configure(ws, ['box1'], hostToml('box1', sshd, path.join(sshd.home, 'flux')));
      hostTmux = privateTmuxOn(`${ws.tmux.socket}-box1`);
      const first = ws.startRun();
      await explained(ws, first, async () => {
        await eventually('long.s1 to be working', () =>
          ofType(ws.events(), 'session.working').find((e) => e.session === 'long.s1'),
        );
        first.kill('SIGKILL');
        exits.push((await first.finished(30_000)).exitCode);
      });
      const second = ws.startRun();
      await explained(ws, second, async () => {
        exits.push((await second.finished(120_000)).exitCode);
      });
      events = ws.events();
    }, 240_000);
    afterAll(async () => {
      await ws?.cleanup();
      await hostTmux?.killServer();
      await sshd?.close();
    });

    it('the killed run died by SIGKILL; the next converges to merged', () => {
      expect(exits, describeWorkspace(ws)).toEqual([137, 0]);
      expect(finalStatuses(events).stages).toEqual({ long: 'merged' });
      expect(ws.read('src/one.txt')).toBe('one\n');
      expect(ws.read('src/long.txt')).toBe('src/long.txt\n');
    });

    it('one session in all, on the host: no duplicate, no crash', () => {
      expect(ofType(events, 'session.started', 'long').map((e) => [e.session, e.host])).toEqual([
        ['long.s1', 'box1'],
      ]);
      expect(ofType(events, 'session.crashed', 'long')).toEqual([]);
      expect(doubledSessions(events)).toEqual([]);
      expect(ofType(events, 'stage.completed', 'long')).toHaveLength(1);
    });
  });
});
