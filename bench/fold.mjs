// Folding 1M events (read + validate + replay) against a raw JSON.parse of the same lines.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { replay } from '../dist/engine/state.js';
import '../dist/log/codec.js';
import { readLog } from '../dist/log/read.js';
import { writeLog } from './generate.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'flux-bench-fold-'));
const file = path.join(dir, 'events.jsonl');
const { count: total } = writeLog(file, {
  stages: 200,
  total: Number(process.env.FLUX_BENCH_EVENTS ?? 1_000_000),
});

function raw() {
  const text = readFileSync(file, 'utf8');
  let count = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1) break;
    JSON.parse(text.slice(start, end));
    count++;
    start = end + 1;
  }
  return count;
}

function flux() {
  const state = replay(readLog(file).events);
  return state.seq;
}

function best(fn, runs) {
  let min = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = fn();
    min = Math.min(min, performance.now() - t);
  }
  return { ms: min, result };
}

best(raw, 1); // warm up both paths
best(flux, 1);
const a = best(raw, 3);
const b = best(flux, 3);
if (a.result !== total || b.result !== total)
  throw new Error(`expected ${total} events, raw ${a.result}, flux ${b.result}`);
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'fold',
    events: total,
    raw_json_parse_ms: Math.round(a.ms),
    flux_fold_ms: Math.round(b.ms),
    ratio: +(b.ms / a.ms).toFixed(2),
    goal: '<= 3',
  }),
);
