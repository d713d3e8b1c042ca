/**
 * A reader that stops early (`flux replay | head -1`) closes the pipe while
 * Flux still writes. Every command then ends quietly: exit 141 (128 +
 * SIGPIPE, what a shell reports for any Unix tool cut off this way), nothing
 * on stderr, no stack trace. The hook entries exit 0, as they always do.
 * The built binary, spawned with a stdout pipe whose reading end is closed.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fluxRunEnv, planDocument, snapshotFlux } from '../helpers/flux-run.js';
import { tempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { appendFile, readFile } from 'node:fs/promises';

const STAGES = 300;
const stageIds = Array.from({ length: STAGES }, (_, i) => `stage-${i + 1}`);
const plan = planDocument(
  'Many stages',
  stageIds
    .map(
      (id) => `    - id: ${id}
      name: "${id}"
      dependencies: []
      acceptance:
        - "true"
      files:
        - "src/${id}/*.rs"`,
    )
    .join('\n'),
);

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

let repo: TempRepo;
let bin: string;
const env = fluxRunEnv({});

/**
 * Runs `flux …args` with stdout a pipe; `closeAfterFirstChunk` reads one
 * chunk first (`| head -1`), otherwise the reading end is closed at once.
 */
function runWithClosedStdout(
  entry: string,
  args: readonly string[],
  closeAfterFirstChunk: boolean,
  extraEnv: Record<string, string> = {},
  input?: string,
): Promise<Ended & { firstChunk: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: repo.root,
      env: { ...env, ...extraEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let firstChunk = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    if (closeAfterFirstChunk) {
      child.stdout.once('data', (chunk: Buffer) => {
        firstChunk = chunk.toString('utf8');
        child.stdout.destroy();
      });
    } else {
      child.stdout.destroy();
    }
    child.stdin.end(input ?? '');
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, firstChunk }));
  });
}

beforeAll(async () => {
  bin = snapshotFlux();
  repo = await tempRepo('flux-epipe-');
  await repo.commit('Add the plan', { 'doc/PLAN.md': plan });
  const init = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [bin, 'init', 'doc/PLAN.md'], {
      cwd: repo.root,
      env,
      stdio: 'ignore',
    });
    child.on('close', resolve);
  });
  expect(init).toBe(0);
  // A long history: every stage blocked, reset and ready again, ten times over.
  const logPath = path.join(repo.root, '.work', 'events.jsonl');
  let seq = (await readFile(logPath, 'utf8')).split('\n').filter((line) => line !== '').length;
  const at = new Date().toISOString();
  const lines: string[] = [];
  for (let round = 0; round < 10; round++) {
    for (const stage of stageIds) {
      for (const event of [
        { type: 'stage.blocked', stage, reason: `round ${round}` },
        { type: 'stage.reset', stage },
        { type: 'stage.ready', stage },
      ]) {
        seq += 1;
        lines.push(JSON.stringify({ v: 1, seq, at, ...event }));
      }
    }
  }
  // And one session, started by hand, for the hooks to speak for.
  for (const event of [
    { type: 'stage.started', stage: 'stage-1', session: 'stage-1.s1' },
    { type: 'session.started', session: 'stage-1.s1', stage: 'stage-1', agent: 'sim', tmux: '' },
  ]) {
    seq += 1;
    lines.push(JSON.stringify({ v: 1, seq, at, ...event }));
  }
  await appendFile(logPath, `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await repo?.cleanup();
  if (bin !== undefined) rmSync(path.dirname(path.dirname(bin)), { recursive: true, force: true });
});

describe('a closed stdout', () => {
  it('`flux replay | head -1`: exit 141, nothing on stderr', async () => {
    const ended = await runWithClosedStdout(bin, ['replay'], true);
    expect(ended.firstChunk).toMatch(/^\s+1 {2}\S+ {2}plan\.initialized/);
    expect(ended).toMatchObject({ code: 141, signal: null, stderr: '' });
  });

  it.each([
    ['replay', ['replay']],
    ['status --json', ['status', '--json']],
    ['status', ['status']],
    ['graph show', ['graph', 'show']],
    ['graph show --format json', ['graph', 'show', '--format', 'json']],
  ])('`flux %s` with the pipe closed before it writes: exit 141, nothing on stderr', async (_name, args) => {
    const ended = await runWithClosedStdout(bin, args, false);
    expect(ended).toMatchObject({ code: 141, signal: null, stderr: '' });
  });

  it('an error message to a closed stderr ends quietly too', async () => {
    const ended = await new Promise<Ended>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'stage', 'no-such-stage', 'block'], {
        cwd: repo.root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stderr.destroy();
      child.stdout.resume();
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stderr: '' }));
    });
    // The usage error's own code, or 141 if the message met the closed pipe first.
    expect([64, 141]).toContain(ended.code);
    expect(ended.signal).toBeNull();
  });

  it('the hook entries exit 0, and what the call recorded stays recorded', async () => {
    const sessionEnv = {
      FLUX_SESSION: 'stage-1.s1',
      FLUX_STAGE: 'stage-1',
      FLUX_WORK_DIR: path.join(repo.root, '.work'),
    };
    const logPath = path.join(repo.root, '.work', 'events.jsonl');
    const entries = [
      { entry: path.join(path.dirname(bin), 'hook.js'), args: ['StatusLine'], percent: 12 },
      { entry: bin, args: ['hook', 'StatusLine'], percent: 13 },
    ];
    for (const { entry, args, percent } of entries) {
      const input = JSON.stringify({ session_id: 'x', context_window: { used_percentage: percent } });
      const ended = await runWithClosedStdout(entry, args, false, sessionEnv, input);
      expect(ended).toMatchObject({ code: 0, signal: null, stderr: '' });
      const last = JSON.parse((await readFile(logPath, 'utf8')).trimEnd().split('\n').at(-1)!) as object;
      expect(last).toMatchObject({ type: 'session.context', session: 'stage-1.s1', percent });
    }
  });
});
