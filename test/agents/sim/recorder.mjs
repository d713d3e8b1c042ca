#!/usr/bin/env node
// Stands in for `flux` in the sim agent's tests (FLUX_COMMAND points here).
// Appends {argv, stdin, cwd, flux env} to $SIM_RECORDER_DIR/calls.jsonl, then
// answers from $SIM_RECORDER_DIR/answers.json when a test queued an answer:
// {"<key>": [{"stdout": "..." | {...}, "stderr": "...", "exitCode": 2}, ...]},
// key = the hook name for `hook <Name>`, else the arguments joined by spaces
// ("done", "handoff"). One entry is used per call; "sticky": true reuses it.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.SIM_RECORDER_DIR ?? '.';
const argv = process.argv.slice(2);
const key = argv[0] === 'hook' ? (argv[1] ?? '') : argv.join(' ');

function readStdin() {
  if (argv[0] !== 'hook') return null;
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function nextAnswer() {
  const file = join(dir, 'answers.json');
  if (!existsSync(file)) return undefined;
  const answers = JSON.parse(readFileSync(file, 'utf8'));
  const queue = answers[key] ?? [];
  const answer = queue[0];
  if (answer !== undefined && !answer.sticky) {
    answers[key] = queue.slice(1);
    writeFileSync(file, JSON.stringify(answers));
  }
  return answer;
}

const raw = readStdin();
let stdin = raw;
try {
  stdin = raw === null ? null : JSON.parse(raw);
} catch {
  // Not JSON: keep the text, the test will say so.
}
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('FLUX_')));
appendFileSync(join(dir, 'calls.jsonl'), JSON.stringify({ argv, stdin, cwd: process.cwd(), env }) + '\n');

const answer = nextAnswer();
if (answer?.stdout !== undefined) {
  process.stdout.write(typeof answer.stdout === 'string' ? answer.stdout : JSON.stringify(answer.stdout));
} else if (argv[0] !== 'hook') {
  process.stdout.write(`recorded flux ${argv.join(' ')}\n`);
}
if (answer?.stderr !== undefined) process.stderr.write(answer.stderr);
process.exitCode = answer?.exitCode ?? 0;
