// One of many processes appending to the same log at once (concurrent-append.test.ts).
// Usage: node append-worker.mjs <append|transact> <workDir> <workerId> <count>
// Prints "ready", waits for "go" on stdin so that all workers start together.
import path from 'node:path';
import '../../dist/log/codec.js';
import { appendEvents } from '../../dist/log/append.js';
import { EventStore } from '../../dist/log/store.js';

const [mode, workDir, workerId, countArg] = process.argv.slice(2);
const count = Number(countArg);
const stage = `w${workerId}`;

function appendMany() {
  const logPath = path.join(workDir, 'events.jsonl');
  for (let i = 0; i < count; i += 1) {
    appendEvents(logPath, [{ type: 'stage.blocked', stage, reason: String(i) }]);
  }
}

// Each event records the count of events its decision saw: if every decision
// sees the latest state, line n says n - 1.
function transactMany() {
  const store = new EventStore({ workDir, initial: () => 0, fold: (seen) => seen + 1 });
  for (let i = 0; i < count; i += 1) {
    store.transact((seen) => [{ type: 'stage.blocked', stage, reason: String(seen) }]);
  }
}

process.stdin.once('data', () => {
  try {
    if (mode === 'append') appendMany();
    else transactMany();
    process.exit(0);
  } catch (err) {
    console.error(err);
    process.exit(1);
  }
});
process.stdout.write('ready\n');
