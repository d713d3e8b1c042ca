// `flux hook` (what every agent turn pays) against `node -e 0`, alternating runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanup, flux, median, repoWithPlan } from './lib.mjs';

// What Claude Code's settings call (src/agents/launch.ts hookCommand).
const HOOK = new URL('../dist/bin/hook.js', import.meta.url).pathname;

const socket = `flux-bench-hook-${process.pid}`;
const dir = repoWithPlan([{ id: 'a' }], { socket });
// A live session for the hook to speak for, as `flux run --manual` records it.
flux(dir, ['run', '--manual']);
const env = { ...process.env, FLUX_SESSION: 'a.s1', FLUX_STAGE: 'a', FLUX_WORK_DIR: path.join(dir, '.work') };
// The calls carry the agent session id Flux recorded for a.s1, as the agent's do; another would be ignored.
const started = readFileSync(path.join(dir, '.work', 'events.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line))
  .find((event) => event.type === 'session.started' && event.session === 'a.s1');
const sessionId = started?.agent_session_id ?? 'x';

const runs = Number(process.env.FLUX_BENCH_RUNS ?? 25);
const hookTimes = { StatusLine: [], Stop: [] };
const baseline = [];
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  execFileSync(process.execPath, ['-e', '0']);
  baseline.push(performance.now() - t);
  // A new context figure each time, so every call appends an event.
  const statusLine = JSON.stringify({
    session_id: sessionId,
    context_window: { used_percentage: (i % 60) + 1 },
  });
  t = performance.now();
  execFileSync(process.execPath, [HOOK, 'StatusLine'], { input: statusLine, env });
  hookTimes.StatusLine.push(performance.now() - t);
  t = performance.now();
  execFileSync(process.execPath, [HOOK, 'Stop'], {
    input: JSON.stringify({ session_id: sessionId, stop_hook_active: false }),
    env,
  });
  hookTimes.Stop.push(performance.now() - t);
}
const base = median(baseline);
cleanup(dir);
console.log(
  JSON.stringify({
    bench: 'hook',
    node_e_0_ms: +base.toFixed(1),
    statusline_ms: +median(hookTimes.StatusLine).toFixed(1),
    stop_ms: +median(hookTimes.Stop).toFixed(1),
    ratio_statusline: +(median(hookTimes.StatusLine) / base).toFixed(2),
    ratio_stop: +(median(hookTimes.Stop) / base).toFixed(2),
    goal: '<= 1.3',
  }),
);
