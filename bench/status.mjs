// `flux status` on a generated 200-stage plan with 100k events, against `node -e 0`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeLog } from './generate.mjs';

const main = new URL('../dist/cli/main.js', import.meta.url).pathname;
const root = mkdtempSync(path.join(tmpdir(), 'flux-bench-status-'));
mkdirSync(path.join(root, '.work'));
const { count } = writeLog(path.join(root, '.work', 'events.jsonl'), { stages: 200, total: 100_000 });

function time(argv, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(process.execPath, argv, { cwd: root, stdio: 'ignore' });
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const runs = Number(process.env.FLUX_BENCH_RUNS ?? 15);
const cold = time([main, 'status'], 1); // replays the whole log and writes the snapshot cache
const baseline = time(['-e', '0'], runs);
const warm = time([main, 'status'], runs);
rmSync(root, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'status',
    stages: 200,
    events: count,
    node_e_0_ms: Math.round(baseline),
    status_first_run_ms: Math.round(cold),
    status_ms: Math.round(warm),
    ratio: +(warm / baseline).toFixed(2),
    goal: '<= 3',
  }),
);
