#!/usr/bin/env node
// Hook and status-line command for the e2e rig: appends what Claude Code sends
// on stdin to <dir>/events.jsonl, then answers from <dir>/answers/<event>.json
// when a test queued an answer there (a JSON array, one entry used per call;
// an entry with "sticky": true is reused forever).
//
// Usage: node hook-recorder.mjs <EventName|statusLine> <dir>
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout } from 'node:timers';

const [event = 'unknown', dir = '.'] = process.argv.slice(2);

function readStdin() {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function nextAnswer() {
  const file = join(dir, 'answers', `${event}.json`);
  if (!existsSync(file)) return undefined;
  const queue = JSON.parse(readFileSync(file, 'utf8'));
  const answer = queue[0];
  if (answer && !answer.sticky) writeFileSync(file, JSON.stringify(queue.slice(1)));
  return answer;
}

const raw = readStdin();
let input;
try {
  input = JSON.parse(raw);
} catch {
  input = raw;
}
appendFileSync(join(dir, 'events.jsonl'), JSON.stringify({ hook: event, at: Date.now(), input }) + '\n');

const answer = nextAnswer();
const finish = () => {
  if (answer?.stdout !== undefined) {
    process.stdout.write(typeof answer.stdout === 'string' ? answer.stdout : JSON.stringify(answer.stdout));
  } else if (event === 'statusLine') {
    const pct = input?.context_window?.used_percentage;
    process.stdout.write(`rig ctx ${pct ?? '-'}%`);
  }
  if (answer?.stderr) process.stderr.write(answer.stderr);
  process.exit(answer?.exitCode ?? 0);
};
// A delay lets a test model a hook that waits (e.g. for a human's answer).
if (answer?.delayMs) setTimeout(finish, answer.delayMs);
else finish();
