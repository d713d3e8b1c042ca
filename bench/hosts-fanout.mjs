// A 16-stage fan-out over this machine and one host on loopback (a real
// OpenSSH server of the bench's own, test/helpers/sshd.ts), against the same
// fan-out all here, in the same run: the time from the monitor's start until
// all 16 sessions are started (idle command agents). The host is warmed first
// (Flux's bundle copied there once per build, as a user's first run does);
// the cold first start is reported too. As `flux run` does, the hosts are
// checked and made ready before the monitor starts, and the time is taken
// from the monitor's start, as bench/run-loop.mjs times the all-local
// fan-out. Goal (issue 13): mixed ≤ 1.5× local.
import '../dist/log/codec.js';
import { buildSync } from 'esbuild';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Monitor } from '../dist/engine/monitor.js';
import { Runtime } from '../dist/engine/runtime.js';
import { cleanup, IDLE_AGENT, killTmux, median, repoWithPlan } from './lib.mjs';

// The tests' sshd helper, compiled for this script (one helper, not two).
const helper = path.join(mkdtempSync(path.join(tmpdir(), 'flux-bench-sshd-')), 'sshd.mjs');
buildSync({
  entryPoints: [new URL('../test/helpers/sshd.ts', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: helper,
  logLevel: 'error',
});
const { startSshd } = await import(helper);

const quietView = () => ({ update() {}, note() {}, close() {} });

async function fanOut(tag, hostToml) {
  const socket = `flux-bench-hf-${process.pid}-${tag}`;
  const stages = Array.from({ length: 16 }, (_, i) => ({ id: `s${String(i).padStart(2, '0')}` }));
  const dir = repoWithPlan(stages, { agent: 'idle', socket, agents: IDLE_AGENT });
  const config = path.join(dir, '.work/config.toml');
  if (hostToml !== undefined) {
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('hosts = ["local"]', 'hosts = ["local", "box1"]'),
    );
    appendFileSync(config, hostToml);
  }
  let started = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const runtime = Runtime.open(dir, {
    onNote: (text) => {
      if (text.includes(': started ') && ++started === 16) done(performance.now());
    },
  });
  let t0 = 0;
  const monitor = new Monitor(
    runtime,
    { maxParallel: hostToml === undefined ? 16 : 8, livenessMs: 1000 },
    quietView(),
  );
  if (process.env.FLUX_BENCH_DEBUG) {
    const note = runtime.note.bind(runtime);
    runtime.note = (text) => {
      console.error(`${Math.round(performance.now() - t0)} ms ${text}`);
      note(text);
    };
  }
  // As `flux run` does before its monitor: the hosts checked and made ready (nothing for all-local).
  await runtime.checkHosts();
  t0 = performance.now();
  const running = monitor.run();
  const t1 = await Promise.race([
    finished,
    running.then(() => {
      throw new Error(`the monitor ended with ${started} of 16 sessions started`);
    }),
    new Promise((_, reject) => {
      const timer = setTimeout(() => {
        const state = runtime.engine.load();
        const sessions = Object.values(state.sessions).map((s) => `${s.id}:${s.status}@${s.host ?? 'local'}`);
        reject(new Error(`${started} of 16 sessions started after 60 s: ${sessions.join(' ')}`));
      }, 60_000);
      timer.unref();
      void finished.then(() => clearTimeout(timer));
    }),
  ]);
  monitor.stop();
  await running;
  const onHost = runtime.engine.load();
  const placed = Object.values(onHost.sessions).filter((s) => s.host === 'box1').length;
  killTmux(socket);
  killTmux(`${socket}-box1`);
  cleanup(dir);
  return { ms: t1 - t0, placed };
}

const sshd = await startSshd();
const hostDir = path.join(sshd.home, 'flux');
const hostToml = `\n[hosts.box1]\nssh = ${JSON.stringify(sshd.target)}\nport = ${sshd.port}\nssh_options = ${JSON.stringify(sshd.sshOptions)}\ndir = ${JSON.stringify(hostDir)}\nmax_parallel = 8\n`;
try {
  const cold = await fanOut('cold', hostToml);
  const runs = Number(process.env.FLUX_BENCH_RUNS ?? 5);
  const local = [];
  const mixed = [];
  for (let i = 0; i < runs; i++) {
    local.push((await fanOut(`l${i}`)).ms);
    const run = await fanOut(`m${i}`, hostToml);
    if (run.placed !== 8) throw new Error(`expected 8 sessions on the host, got ${run.placed}`);
    mixed.push(run.ms);
  }
  const l = median(local);
  const m = median(mixed);
  console.log(
    JSON.stringify({
      bench: 'hosts-fanout',
      runs,
      localMs: Math.round(l),
      mixedMs: Math.round(m),
      ratio: Number((m / l).toFixed(2)),
      coldMixedMs: Math.round(cold.ms),
      goal: 'mixed ≤ 1.5× local',
    }),
  );
} finally {
  await sshd.close();
}
