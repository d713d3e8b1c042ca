// `npm run bench`: every benchmark, one JSON line each. Ratios compare Flux
// with a baseline measured in the same run (these machines are shared and
// noisy: compare the ratios, not the milliseconds).
import { execFileSync } from 'node:child_process';

const benches = [
  'schedule.mjs',
  'fold.mjs',
  'status.mjs',
  'hook.mjs',
  'run-loop.mjs',
  'supervisor.mjs',
  'ui.mjs',
  'host-relay.mjs',
  'hosts-fanout.mjs',
];
for (const bench of benches) {
  process.stdout.write(
    execFileSync(process.execPath, [new URL(bench, import.meta.url).pathname], { encoding: 'utf8' }),
  );
}
