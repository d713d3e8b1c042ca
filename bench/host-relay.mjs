// A hook call on a host → its event in the local log, through the relay
// (docs/hosts.md): an OpenSSH server of the bench's own on 127.0.0.1 is the
// host (this machine and user, a throwaway key), the drainer keeps
// `flux host drain` running there, and each call is `hook.js StatusLine`
// with FLUX_HOST set and a new context figure, so each appends one event.
// Timed from the call's start to the event in .work/events.jsonl, and to the
// call's answer; beside it the same call made locally. Goal: p95 ≤ 1 s.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { cleanup, MAIN, repoWithPlan } from './lib.mjs';

const HOOK = new URL('../dist/bin/hook.js', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;
const SSHD = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((bin) => existsSync(bin));
const runs = Math.max(50, Number(process.env.FLUX_BENCH_RUNS ?? 60));

if (SSHD === undefined) {
  console.log(JSON.stringify({ bench: 'host-relay', skipped: 'no sshd (apt-get install openssh-server)' }));
  process.exit(0);
}

const percentile = (samples, p) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(probe, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** The drainer and the engine, bundled from the sources for this run (the bench is plain Node). */
async function loadSources() {
  const out = mkdtempSync(path.join(tmpdir(), 'flux-bench-relay-src-'));
  const file = path.join(out, 'relay.mjs');
  await build({
    stdin: {
      contents: [
        "import './src/log/codec.ts';",
        "export { Engine } from './src/engine/engine.ts';",
        "export { workspaceAt } from './src/engine/workspace.ts';",
        "export { HostDrain } from './src/engine/runtime/host-drain/drainer.ts';",
        "export { hostPaths } from './src/hosts/layout.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: file,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return { sources: await import(file), out };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** As test/helpers/sshd.ts: a private server, its own keys and known_hosts. */
async function startSshd() {
  const dir = mkdtempSync(path.join(tmpdir(), 'flux-bench-sshd-'));
  const user = userInfo().username;
  const port = await freePort();
  for (const key of ['host_key', 'user_key'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'user_key.pub')), {
    mode: 0o600,
  });
  const hostPub = readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      `AllowUsers ${user}`,
      'PrintMotd no',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  const child = spawn(SSHD, ['-D', '-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')], {
    stdio: 'ignore',
  });
  const sshOptions = [
    '-i',
    path.join(dir, 'user_key'),
    '-o',
    `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-F',
    '/dev/null',
  ];
  const target = { ssh: `${user}@127.0.0.1`, port, ssh_options: sshOptions, check_host_key: true };
  await until(() => {
    try {
      execFileSync('ssh', ['-p', String(port), ...sshOptions, '-o', 'BatchMode=yes', target.ssh, 'true'], {
        stdio: 'ignore',
        timeout: 5000,
      });
      return true;
    } catch {
      return false;
    }
  }, 'sshd');
  // Its connections outlive the listener: end them too (the ssh master kept for ControlPersist goes with them).
  const stop = () => {
    const connections = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    child.kill('SIGTERM');
    for (const pid of connections) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended already
      }
    }
  };
  return { dir, target, stop };
}

const { sources, out } = await loadSources();
const sshd = await startSshd();
const socket = `flux-bench-relay-${process.pid}`;
const repo = repoWithPlan([{ id: 'a' }, { id: 'b' }], { socket });
let drain = null;
const relayed = { logged: [], answered: [] };
const direct = { logged: [], answered: [] };
try {
  const log = path.join(repo, '.work', 'events.jsonl');
  const engine = new sources.Engine(sources.workspaceAt(repo));
  const agentSessionId = randomUUID();
  const started = (session, stage, host) => [
    { type: 'stage.started', stage, session },
    {
      type: 'session.started',
      session,
      stage,
      agent: 'claude',
      tmux: '',
      agent_session_id: agentSessionId,
      ...(host ? { host } : {}),
    },
  ];
  engine.commit(() => ({ events: [...started('a.s1', 'a', 'box1'), ...started('b.s1', 'b')], effects: [] }));

  const paths = sources.hostPaths(path.join(sshd.dir, 'host'), repo, 'bench');
  mkdirSync(paths.work, { recursive: true });
  let reachable = false;
  drain = new sources.HostDrain({
    engine,
    hostName: 'box1',
    target: sshd.target,
    hostFlux: [process.execPath, MAIN],
    paths,
    entry: { node: process.execPath, main: MAIN, hook: HOOK },
    onReachability: (_host, now) => (reachable = now),
    onNote: (_host, text) => process.stderr.write(`note: ${text}\n`),
  });
  drain.start();
  await until(() => reachable, 'the drain on the host');

  const session = (name, stage, extra) => ({
    ...process.env,
    FLUX_SESSION: name,
    FLUX_STAGE: stage,
    FLUX_SUPERVISOR: 'off',
    ...extra,
  });
  const onHost = session('a.s1', 'a', { FLUX_HOST: 'box1', FLUX_WORK_DIR: paths.work });
  const local = session('b.s1', 'b', { FLUX_WORK_DIR: path.join(repo, '.work') });

  /** One StatusLine call; ms until its event is in the log, and until it answered. */
  const call = async (env, i) => {
    const input = JSON.stringify({
      session_id: agentSessionId,
      context_window: { used_percentage: (i % 90) + 1 },
    });
    const size = statSync(log).size;
    const t = performance.now();
    const child = spawn(process.execPath, [HOOK, 'StatusLine'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(input);
    const answered = new Promise((resolve) => child.on('close', () => resolve(performance.now() - t)));
    await until(() => statSync(log).size > size, `event ${i} in the log`);
    const logged = performance.now() - t;
    return { logged, answered: await answered };
  };

  for (let i = 0; i < runs; i++) {
    for (const [env, into] of [
      [onHost, relayed],
      [local, direct],
    ]) {
      const { logged, answered } = await call(env, i);
      into.logged.push(logged);
      into.answered.push(answered);
    }
  }
} finally {
  await drain?.stop();
  sshd.stop();
  cleanup(repo);
  rmSync(out, { recursive: true, force: true });
  rmSync(sshd.dir, { recursive: true, force: true });
}

const ms = (samples, p) => +percentile(samples, p).toFixed(1);
console.log(
  JSON.stringify({
    bench: 'host-relay',
    runs,
    host_to_log_p50_ms: ms(relayed.logged, 50),
    host_to_log_p95_ms: ms(relayed.logged, 95),
    host_answer_p50_ms: ms(relayed.answered, 50),
    host_answer_p95_ms: ms(relayed.answered, 95),
    local_to_log_p50_ms: ms(direct.logged, 50),
    local_to_log_p95_ms: ms(direct.logged, 95),
    goal: 'host_to_log_p95_ms <= 1000',
  }),
);
