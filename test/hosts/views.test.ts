/**
 * A session started on a host (a real OpenSSH server on 127.0.0.1,
 * test/helpers/sshd.ts: the "host" is this machine, reached as its own user)
 * as the views show it: `flux status` (table, `--json`, `flux status <stage>`
 * with the worktree as `box1:/path`), `flux sessions`, `flux attach list`;
 * `flux attach` reaching the host's tmux with `ssh -t` (run on a real
 * terminal, `script`, and seen drawing the remote session's screen), and
 * `flux resume` asking the host's tmux whether the session is alive.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  fluxWorkspace,
  ofType,
  planDocument,
  type FluxWorkspace,
  type LogEvent,
  type RunningFlux,
} from '../helpers/flux-run.js';
import { runtimeActions } from '../../src/cli/ui/actions.js';
import { controlDir } from '../../src/effects/ssh/argv.js';
import { Runtime } from '../../src/engine/runtime.js';
import { privateTmuxOn, type PrivateTmux } from '../helpers/private-tmux.js';
import { sshdSkipReason, startSshd, type TestSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/wait.js';

const plan = planDocument(
  'One stage on a host',
  `    - id: first
      name: "The first"
      dependencies: []
      gate: auto
      acceptance:
        - "true"
      files:
        - "src/first.txt"`,
);

/** Says a line the attach test looks for on the screen, then sleeps (the session stays up). */
const sleeper = { turns: [{ say: 'Sleeping on the host now.', actions: [{ sleep: 120_000 }] }] };

const toml = (value: unknown) => JSON.stringify(value);

describe.skipIf(sshdSkipReason() !== undefined)('a session on a host, in the views', () => {
  let sshd: TestSshd;
  let ws: FluxWorkspace;
  let run: RunningFlux;
  /** The host's tmux server (the same machine here: `<local socket>-box1`). */
  let hostTmux: PrivateTmux;
  let started: LogEvent;

  beforeAll(async () => {
    sshd = await startSshd();
    ws = await fluxWorkspace({ plan, settings: { agent: 'sim' }, sims: { first: sleeper } });
    const config = path.join(ws.root, '.work', 'config.toml');
    appendFileSync(
      config,
      `\n[hosts.box1]\nssh = ${toml(sshd.target)}\nport = ${sshd.port}\nssh_options = ${toml(sshd.sshOptions)}\ndir = ${toml(path.join(sshd.home, 'flux'))}\n`,
    );
    execFileSync('sed', ['-i', 's/^hosts = \\["local"\\]$/hosts = ["box1"]/', config]);
    hostTmux = privateTmuxOn(`${ws.tmux.socket}-box1`);
    run = ws.startRun(['--stage', 'first']);
    started = await waitFor(() => ofType(ws.events(), 'session.started', 'first')[0], {
      what: 'the session of first to start',
      timeoutMs: 60_000,
      intervalMs: 200,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${describeWorkspace(ws, run)}`);
    });
    await waitFor(
      async () =>
        (await hostTmux.tmux(['has-session', '-t', `=${String(started.tmux)}`])).exitCode === 0
          ? true
          : undefined,
      { what: "the session's tmux session on the host", timeoutMs: 30_000, intervalMs: 200 },
    );
  }, 120_000);

  afterAll(async () => {
    run?.kill('SIGKILL');
    await run?.finished(10_000).catch(() => undefined);
    await hostTmux?.killServer();
    await ws?.cleanup();
    await sshd?.close();
  });

  it('was started there: session.started names box1', () => {
    expect(started.host).toBe('box1');
  });

  it('flux status --json: host box1 for the stage', async () => {
    const result = await ws.flux(['status', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const view = JSON.parse(result.stdout) as {
      stages: { id: string; host: string | null }[];
      hosts: string[];
    };
    expect(view.stages).toEqual([expect.objectContaining({ id: 'first', host: 'box1' })]);
    expect(view.hosts).toEqual(['box1']);
  });

  it('flux status: a HOST column naming box1', async () => {
    const result = await ws.flux(['status'], { env: { COLUMNS: '120' } });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.find((line) => line.startsWith('STAGE'))!;
    expect(header).toMatch(/\bSESSION\s+HOST\s+CONTEXT\b/);
    const row = lines.find((line) => line.startsWith('first'))!;
    expect(row.slice(header.indexOf('HOST')).split(/\s+/)[0]).toBe('box1');
  });

  it('flux status first: the host, and the worktree as box1:<its path there>', async () => {
    const result = await ws.flux(['status', 'first'], { env: { COLUMNS: '200' } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`host       box1 (${sshd.target}:${sshd.port})`);
    const worktree = /worktree {3}box1:(\S+)/.exec(result.stdout)?.[1];
    expect(worktree, result.stdout).toMatch(
      new RegExp(`^${path.join(sshd.home, 'flux')}/.+/worktrees/first$`),
    );
    // The host is this machine: the path is the worktree the session works in.
    expect(existsSync(path.join(worktree!, '.git'))).toBe(true);
    const json = JSON.parse((await ws.flux(['status', 'first', '--json'])).stdout) as {
      host: string;
      worktree: { host: string; path: string; shown: string };
    };
    expect(json.host).toBe('box1');
    expect(json.worktree).toEqual({ host: 'box1', path: worktree, shown: `box1:${worktree}` });
    const unknown = await ws.flux(['status', 'frist']);
    expect(unknown.exitCode).toBe(64);
    expect(unknown.stderr).toContain("error: no stage 'frist' in the plan\nhint: did you mean 'first'?");
  });

  it('flux sessions: the session on box1, its tmux session alive there', async () => {
    const json = JSON.parse((await ws.flux(['sessions', '--json'])).stdout) as {
      id: string;
      host: string;
      tmuxAlive: boolean | null;
    }[];
    expect(json).toEqual([expect.objectContaining({ id: 'first.s1', host: 'box1', tmuxAlive: true })]);
    const table = (await ws.flux(['sessions'], { env: { COLUMNS: '160' } })).stdout;
    expect(table).toMatch(/^SESSION\s+STATUS\s+AGENT\s+TMUX\s+HOST\s+STARTED\s+CONTEXT/m);
    expect(table).toMatch(
      new RegExp(`^first\\.s1\\s+\\S+\\s+sim\\s+${String(started.tmux)}\\s+box1\\s`, 'm'),
    );
    expect(table).not.toContain('(gone)');
  });

  it('flux attach list: the session, with host box1', async () => {
    const json = JSON.parse((await ws.flux(['attach', 'list', '--json'])).stdout) as {
      session: string;
      stage: string;
      host: string;
    }[];
    expect(json).toEqual([expect.objectContaining({ session: started.tmux, stage: 'first', host: 'box1' })]);
    const table = (await ws.flux(['attach', 'list'], { env: { COLUMNS: '160' } })).stdout;
    expect(table).toMatch(/^SESSION\s+STAGE\s+STATUS\s+HOST\s+CONTEXT/m);
    expect(table).toMatch(new RegExp(`^${String(started.tmux)}\\s+first\\s+\\S+\\s+box1\\s`, 'm'));
  });

  it('flux attach --print: ssh -t to the host, running the host tmux attach', async () => {
    const result = await ws.flux(['attach', 'first', '--print']);
    expect(result.exitCode, result.stderr).toBe(0);
    const line = result.stdout.trim();
    expect(line).toMatch(/^ssh /);
    expect(line).toContain(` -t ${sshd.target} `);
    expect(line).toContain(`-p ${sshd.port}`);
    expect(line).toContain(`tmux -L ${ws.tmux.socket}-box1 attach-session -t =${String(started.tmux)}`);
  });

  it('flux attach on a terminal: ssh -t shows the remote session; detaching there ends it with 0', async () => {
    // `script` gives flux a real terminal; what it prints is what the person would see.
    const command = [process.execPath, ws.bin, 'attach', 'first'].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ws.root,
      env: { ...ws.env, TERM: 'xterm', COLUMNS: '120', LINES: '40' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await waitFor(() => (screen.includes('Sleeping on the host now.') ? true : undefined), {
        what: "the remote session's screen through flux attach",
        timeoutMs: 30_000,
        intervalMs: 100,
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n--- screen:\n${screen}`);
      });
      expect(screen).toContain(`Attaching to ${String(started.tmux)} on box1`);
      // A client of the host's server is attached: the remote tmux, not a local one.
      const clients = await hostTmux.tmux(['list-clients', '-F', '#{session_name}']);
      expect(clients.stdout.split('\n')).toContain(String(started.tmux));
      await hostTmux.tmux(['detach-client', '-s', `=${String(started.tmux)}`]);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    // Detaching left the agent running.
    expect((await hostTmux.tmux(['has-session', '-t', `=${String(started.tmux)}`])).exitCode).toBe(0);
  });

  it("flux resume: refused while the session is alive in the host's tmux (no second agent)", async () => {
    const result = await ws.flux(['resume', 'first']);
    expect(result.stderr).toMatch(/session first\.s1 of stage 'first' is alive/);
    expect(result.exitCode).toBe(3);
    expect(ofType(ws.events(), 'session.started', 'first')).toHaveLength(1);
    expect(ofType(ws.events(), 'session.crashed', 'first')).toHaveLength(0);
  });

  it("the dashboard's keys: l captures the pane on the host's tmux, enter attaches over ssh", async () => {
    const runtime = Runtime.open(ws.root, { tmuxSocket: ws.tmux.socket });
    const actions = runtimeActions(runtime);
    expect((await actions.pane('first', 40)).join('\n')).toContain('Sleeping on the host now.');
    const attach = await actions.attach('first');
    expect(attach.argv[0]).toBe('ssh');
    expect(attach.argv.at(-1)).toBe(
      `tmux -L ${ws.tmux.socket}-box1 attach-session -t =${String(started.tmux)}`,
    );
  });

  // Last: the host is cut off (the server stopped, the shared connection closed).
  it('the host cut off: the monitor records it, and the views say since when and why', async () => {
    // stop() kills the connections too; the shared one's client may still be winding down.
    await sshd.stop();
    spawnSync(
      'ssh',
      [
        '-O',
        'exit',
        '-o',
        `ControlPath=${path.join(controlDir(), '%C')}`,
        '-p',
        String(sshd.port),
        ...sshd.sshOptions,
        sshd.target,
      ],
      { stdio: 'ignore' },
    );
    const cut = await waitFor(() => ofType(ws.events(), 'host.unreachable')[0], {
      what: 'flux run to record box1 unreachable',
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    expect(cut.host).toBe('box1');
    const status = await ws.flux(['status'], { env: { COLUMNS: '200' } });
    const since = new Date(cut.at).toTimeString().slice(0, 5);
    expect(status.stdout).toContain(`host box1 unreachable since ${since} (${String(cut.reason)})`);
    // A fresh connection is refused; one that was open is lost (ssh then says nothing more).
    expect(String(cut.reason)).toMatch(/Connection refused|connection was lost/);
    expect(status.stdout).toMatch(/^first\s.*\sbox1 ✗\s/m);
    const json = JSON.parse((await ws.flux(['status', '--json'])).stdout) as { unreachable: unknown[] };
    expect(json.unreachable).toEqual([{ host: 'box1', reason: cut.reason, since: cut.at }]);

    const list = await ws.flux(['attach', 'list'], { env: { COLUMNS: '200' } });
    expect(list.exitCode).toBe(0);
    expect(list.stdout + list.stderr).toMatch(
      /box1 ✗: cannot be reached \(.*Connection refused\); its sessions first\.s1 are not listed/,
    );
    const attach = await ws.flux(['attach', 'first', '--print']);
    expect(attach.stderr).toMatch(/host box1 cannot be reached: .*Connection refused/);
    expect(attach.exitCode).toBe(5);
    // Where the worktree is still comes from the config's dir (the host is not asked).
    const detail = await ws.flux(['status', 'first'], { env: { COLUMNS: '200' } });
    expect(detail.stdout).toMatch(
      new RegExp(`worktree {3}box1:${path.join(sshd.home, 'flux')}/.+/worktrees/first`),
    );
    expect(detail.stdout).toContain('box1 ✗');
  });
});
