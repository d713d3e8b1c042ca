// The supervisor against what it stands on, in the same run:
//  - approval latency: `flux verify a --approve` → the dependent b's tmux
//    session exists, with a supervisor running and without one (then the
//    approval itself starts b), against a raw `git worktree add` +
//    `tmux new-session`; goal: at most raw + 150 ms;
//  - idle cost: a supervisor watching 16 live sessions for 60 s (its CPU, in %
//    of one core, and its resident size), against an idle node process with a
//    timer over the same 60 s; goals: CPU <= 1 %, RSS < 80 MB.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { cleanup, flux, IDLE_AGENT, killTmux, median, rawStart, repoWithPlan } from './lib.mjs';

const supervised = { FLUX_SUPERVISOR: 'auto' };
const TICK = 100; // clock ticks per second on Linux (getconf CLK_TCK)

function hasSession(socket, name) {
  try {
    execFileSync('tmux', ['-L', socket, 'has-session', '-t', `=${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function approvalOnce(i, withSupervisor) {
  const socket = `flux-bench-appr-${process.pid}-${i}`;
  const dir = repoWithPlan(
    [
      { id: 'a', gate: 'human' },
      { id: 'b', dependencies: ['a'] },
    ],
    { agent: 'sim', socket },
  );
  mkdirSync(path.join(dir, '.work/sim'), { recursive: true });
  const done = {
    turns: [
      {
        say: 'go',
        context: 10,
        actions: [{ write: { path: 'a/x.txt', content: 'x\n' } }, { commit: 'a' }, { flux: ['done'] }],
      },
    ],
  };
  writeFileSync(path.join(dir, '.work/sim/a.json'), JSON.stringify(done));
  writeFileSync(
    path.join(dir, '.work/sim/b.json'),
    JSON.stringify({ turns: [{ say: 'wait', context: 5, actions: [{ sleep: 60000 }] }] }),
  );
  // Until a waits for its review.
  flux(dir, ['run'], { FLUX_SUPERVISOR: 'off' });
  if (withSupervisor) flux(dir, ['run', '--detach'], supervised);
  const t0 = Date.now();
  const approving = spawn(
    process.execPath,
    [new URL('../dist/bin/main.js', import.meta.url).pathname, 'verify', 'a', '--approve'],
    {
      cwd: dir,
      env: { ...process.env, ...supervised },
      stdio: 'ignore',
    },
  );
  while (!hasSession(socket, 'flux-b')) await new Promise((r) => setTimeout(r, 2));
  const seen = Date.now();
  await new Promise((r) => approving.on('exit', r));
  // From the approval on record (stage.verified) to the dependent's tmux session.
  const log = readFileSync(path.join(dir, '.work/events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const verified = Date.parse(log.find((e) => e.type === 'stage.verified' && e.stage === 'a').at);
  if (process.env.FLUX_BENCH_TRACE)
    console.error(
      JSON.stringify({
        command: seen - t0,
        ...Object.fromEntries(
          log
            .filter((e) => e.seq > 0)
            .slice(-12)
            .map((e) => [`${e.seq} ${e.type} ${e.stage ?? e.session ?? ''}`, Date.parse(e.at) - verified]),
        ),
      }),
    );
  const flux_ms = seen - verified;
  flux(dir, ['stop', '--sessions'], supervised);
  const raw = rawStart(dir, socket, 'rawappr');
  killTmux(socket);
  cleanup(dir);
  return { flux: flux_ms, raw };
}

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function idleSupervisor(seconds) {
  const socket = `flux-bench-idle-${process.pid}`;
  const stages = Array.from({ length: 16 }, (_, i) => ({ id: `i${String(i).padStart(2, '0')}` }));
  const dir = repoWithPlan(stages, { agent: 'idle', socket, agents: IDLE_AGENT });
  const config = path.join(dir, '.work/config.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('max_parallel = 4', 'max_parallel = 16'));
  flux(dir, ['run', '--detach'], supervised);
  const { pid } = JSON.parse(readFileSync(path.join(dir, '.work/supervisor.json'), 'utf8'));
  for (;;) {
    const count = (() => {
      try {
        return execFileSync('tmux', ['-L', socket, 'list-sessions'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        })
          .trim()
          .split('\n').length;
      } catch {
        return 0;
      }
    })();
    if (count === 16) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 3000)); // settled: the starts are behind it
  const baseline = spawn(process.execPath, ['-e', 'setInterval(() => {}, 2000)'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const [s0, b0, t0] = [cpuTicks(pid), cpuTicks(baseline.pid), Date.now()];
  let rss = 0;
  for (let waited = 0; waited < seconds; waited += 5) {
    await new Promise((r) => setTimeout(r, 5000));
    rss = Math.max(rss, rssMb(pid));
  }
  const elapsed = (Date.now() - t0) / 1000;
  const supervisorCpu = ((cpuTicks(pid) - s0) / TICK / elapsed) * 100;
  const baselineCpu = ((cpuTicks(baseline.pid) - b0) / TICK / elapsed) * 100;
  baseline.kill();
  flux(dir, ['stop', '--sessions'], supervised);
  killTmux(socket);
  cleanup(dir);
  return { supervisorCpu, baselineCpu, rss };
}

const runs = Number(process.env.FLUX_BENCH_RUNS ?? 5);
for (const withSupervisor of [true, false]) {
  const samples = [];
  for (let i = 0; i < runs; i++)
    samples.push(await approvalOnce(`${withSupervisor ? 's' : 'n'}${i}`, withSupervisor));
  const fluxMs = median(samples.map((s) => s.flux));
  const rawMs = median(samples.map((s) => s.raw));
  console.log(
    JSON.stringify({
      bench: `approval-to-dependent${withSupervisor ? '-supervised' : '-no-supervisor'}`,
      flux_ms: Math.round(fluxMs),
      raw_worktree_plus_tmux_ms: Math.round(rawMs),
      extra_ms: Math.round(fluxMs - rawMs),
      goal: 'extra <= 150',
    }),
  );
}
const idle = await idleSupervisor(Number(process.env.FLUX_BENCH_IDLE_SECONDS ?? 60));
console.log(
  JSON.stringify({
    bench: 'supervisor-idle-16',
    cpu_percent_of_a_core: +idle.supervisorCpu.toFixed(2),
    baseline_idle_node_percent: +idle.baselineCpu.toFixed(2),
    rss_mb: +idle.rss.toFixed(1),
    goal: 'cpu <= 1, rss < 80',
  }),
);
