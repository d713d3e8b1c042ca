// The run loop against the raw commands it stands on, in the same run:
//  - latency: a stage's `flux done` → its dependent's tmux session started,
//    against a raw `git worktree add` + `tmux new-session`;
//  - fan-out: 16 ready stages started, against the same raw commands in a shell loop;
//  - memory: the resident size of a `flux run` monitor watching 16 sessions.
import '../dist/log/codec.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Monitor } from '../dist/engine/monitor.js';
import { Runtime } from '../dist/engine/runtime.js';
import { cleanup, IDLE_AGENT, killTmux, MAIN, median, rawStart, repoWithPlan } from './lib.mjs';

const quietView = (onNote) => ({ update() {}, note: onNote, close() {} });

async function latencyOnce(i) {
  const socket = `flux-bench-lat-${process.pid}-${i}`;
  const dir = repoWithPlan([{ id: 'a' }, { id: 'b', dependencies: ['a'] }], { agent: 'sim', socket });
  // a commits and declares done at once; b idles (a script with no turns).
  mkdirSync(path.join(dir, '.work/sim'), { recursive: true });
  writeFileSync(
    path.join(dir, '.work/sim/a.json'),
    JSON.stringify({
      turns: [
        {
          say: 'go',
          context: 10,
          actions: [{ write: { path: 'a/x.txt', content: 'x\n' } }, { commit: 'a' }, { flux: ['done'] }],
        },
      ],
    }),
  );
  writeFileSync(path.join(dir, '.work/sim/b.json'), JSON.stringify({ turns: [] }));
  let startedB;
  const runtime = Runtime.open(dir, {
    onNote: (text) => {
      if (text.startsWith('b: started')) {
        startedB = Date.now();
        monitor.stop();
      }
    },
  });
  const monitor = new Monitor(
    runtime,
    { maxParallel: 4, livenessMs: 1000 },
    quietView(() => {}),
  );
  await monitor.run();
  const log = readFileSync(path.join(dir, '.work/events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const completed = log.find((e) => e.type === 'stage.completed' && e.stage === 'a');
  const raw = rawStart(dir, socket, 'rawlat');
  killTmux(socket);
  cleanup(dir);
  return { flux: startedB - Date.parse(completed.at), raw };
}

async function fanOut() {
  const socket = `flux-bench-fan-${process.pid}`;
  const stages = Array.from({ length: 16 }, (_, i) => ({ id: `s${String(i).padStart(2, '0')}` }));
  const dir = repoWithPlan(stages, { agent: 'idle', socket, agents: IDLE_AGENT });
  let started = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const runtime = Runtime.open(dir, {
    onNote: (text) => {
      if (text.includes(': started ')) {
        started++;
        if (started === 16) done(performance.now());
      }
    },
  });
  const monitor = new Monitor(
    runtime,
    { maxParallel: 16, livenessMs: 1000 },
    quietView(() => {}),
  );
  const t0 = performance.now();
  const running = monitor.run();
  const t1 = await finished;
  monitor.stop();
  await running;
  killTmux(socket);

  // The same 16 worktrees and sessions, by hand, in a shell loop.
  const rawSocket = `${socket}-raw`;
  const script =
    'for i in $(seq -w 0 15); do git worktree add --quiet -b raw/s$i .worktrees/raw-s$i && tmux -L "$1" new-session -d -s raw-s$i -c .worktrees/raw-s$i -- sleep 600; done';
  const r0 = performance.now();
  execFileSync('bash', ['-c', script, 'bench', rawSocket], { cwd: dir });
  const raw = performance.now() - r0;
  killTmux(rawSocket);
  cleanup(dir);
  return { flux: t1 - t0, raw };
}

async function monitorMemory() {
  const socket = `flux-bench-mem-${process.pid}`;
  const stages = Array.from({ length: 16 }, (_, i) => ({ id: `m${String(i).padStart(2, '0')}` }));
  const dir = repoWithPlan(stages, { agent: 'idle', socket, agents: IDLE_AGENT });
  const config = path.join(dir, '.work/config.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('max_parallel = 4', 'max_parallel = 16'));
  const child = spawn(process.execPath, [MAIN, 'run'], { cwd: dir, stdio: 'ignore' });
  let rss = 0;
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    let count = 0;
    try {
      count = execFileSync('tmux', ['-L', socket, 'list-sessions'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split('\n').length;
    } catch {
      count = 0;
    }
    if (count === 16) {
      await new Promise((r) => setTimeout(r, 3000)); // a few liveness rounds with 16 sessions
      rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
      break;
    }
  }
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  killTmux(socket);
  cleanup(dir);
  return rss;
}

const runs = Number(process.env.FLUX_BENCH_RUNS ?? 5);
const lat = [];
for (let i = 0; i < runs; i++) lat.push(await latencyOnce(i));
const fan = await fanOut();
const rss = await monitorMemory();
const latFlux = median(lat.map((l) => l.flux));
const latRaw = median(lat.map((l) => l.raw));
console.log(
  JSON.stringify({
    bench: 'dependent-start',
    flux_ms: Math.round(latFlux),
    raw_worktree_plus_tmux_ms: Math.round(latRaw),
    extra_ms: Math.round(latFlux - latRaw),
    goal: 'extra <= 100',
  }),
);
console.log(
  JSON.stringify({
    bench: 'fan-out-16',
    flux_ms: Math.round(fan.flux),
    raw_shell_loop_ms: Math.round(fan.raw),
    ratio: +(fan.flux / fan.raw).toFixed(2),
    goal: '<= 1.1',
  }),
);
console.log(JSON.stringify({ bench: 'monitor-memory', sessions: 16, rss_mb: +rss.toFixed(1), goal: '< 80' }));
