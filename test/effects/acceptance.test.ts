import { mkdir, readFile, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalError } from '../../src/errors.js';
import { OutputTail, runAcceptance } from '../../src/effects/acceptance.js';
import { tempDir } from '../helpers/temp-repo.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;

beforeAll(async () => {
  dir = await tempDir('flux-acceptance-');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Running, and not a zombie waiting for a parent (in a container, init may be slow to reap). */
function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A shell line that starts `sleep 99` in a session of its own (`setsid`),
 * `prelude` run first in that child, and returns once the child has
 * written its pid to `pidFile`, so it has left the command's process group.
 */
function detached(pidFile: string, prelude = ''): string {
  return `setsid sh -c '${prelude}echo $$ > "$0"; exec sleep 99' "${pidFile}" & while [ ! -s "${pidFile}" ]; do sleep 0.05; done`;
}

async function expectDead(pid: number): Promise<void> {
  expect(pid).toBeGreaterThan(1);
  await waitFor(() => (processRunning(pid) ? undefined : true), {
    timeoutMs: 2000,
    what: `pid ${pid} to end`,
  });
}

/** Fails unless no live process carries the acceptance run's marker. */
async function expectNoneMarked(run: string): Promise<void> {
  expect(run).not.toBe('');
  const marked = (): number[] =>
    readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => {
        try {
          const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
          return environ.includes(`FLUX_ACCEPTANCE_RUN=${run}`) && processRunning(pid);
        } catch {
          return false;
        }
      });
  await waitFor(() => (marked().length === 0 ? true : undefined), {
    timeoutMs: 2000,
    what: `no process left with FLUX_ACCEPTANCE_RUN=${run}`,
  }).catch((error: Error) => {
    throw new Error(`${error.message}: still running: ${marked().join(', ')}`);
  });
}

describe('runAcceptance', () => {
  it('passes when every command exits 0, and runs them in the given directory with env', async () => {
    await mkdir(path.join(dir, 'sub dir'), { recursive: true });
    const cwd = path.join(dir, 'sub dir');
    const report = await runAcceptance({
      cwd,
      commands: ['pwd', 'echo "$STAGE_VAR" && test -n "$PATH"'],
      timeoutMs: 10_000,
      env: { STAGE_VAR: 'from env' },
    });
    expect(report.passed).toBe(true);
    expect(report.results.map((result) => [result.command, result.exit_code, result.timed_out])).toEqual([
      ['pwd', 0, false],
      ['echo "$STAGE_VAR" && test -n "$PATH"', 0, false],
    ]);
    expect(report.results[0]?.output_tail).toBe(cwd);
    expect(report.results[1]?.output_tail).toBe('from env');
  });

  it('reports every failure: later commands still run after one fails', async () => {
    const report = await runAcceptance({
      cwd: dir,
      commands: ['echo first; exit 3', 'echo second', 'no-such-command-here'],
      timeoutMs: 10_000,
    });
    expect(report.passed).toBe(false);
    expect(report.results.map((result) => result.exit_code)).toEqual([3, 0, 127]);
    expect(report.results[0]?.output_tail).toBe('first');
    expect(report.results[2]?.output_tail).toContain('not found');
  });

  it('interleaves stdout and stderr in the order they were written', async () => {
    const report = await runAcceptance({
      cwd: dir,
      commands: ['echo out1; echo err1 >&2; echo out2; echo err2 >&2'],
      timeoutMs: 10_000,
    });
    expect(report.results[0]?.output_tail).toBe('out1\nerr1\nout2\nerr2');
  });

  it('streams output as it arrives, with the command it came from', async () => {
    const chunks: [string, string][] = [];
    let sawFirstBeforeExit = false;
    const command = 'echo one; sleep 0.3; echo two';
    const running = runAcceptance({
      cwd: dir,
      commands: [command],
      timeoutMs: 10_000,
      onOutput: (chunk, from) => chunks.push([chunk, from]),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    sawFirstBeforeExit = chunks.map(([chunk]) => chunk).join('') === 'one\n';
    await running;
    expect(sawFirstBeforeExit).toBe(true);
    expect(chunks.map(([chunk]) => chunk).join('')).toBe('one\ntwo\n');
    expect(chunks.every(([, from]) => from === command)).toBe(true);
  });

  it('kills the whole process group on timeout, quickly', async () => {
    const pidFile = path.join(dir, 'child.pid');
    const started = Date.now();
    const report = await runAcceptance({
      cwd: dir,
      // The sleep is a grandchild: killing only the shell would leave it running.
      commands: [`sh -c 'sleep 30 & echo $! > "${pidFile}"; wait'`, 'echo after'],
      timeoutMs: 500,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const [timedOut, after] = report.results;
    expect(timedOut).toMatchObject({ exit_code: null, timed_out: true });
    expect(timedOut?.duration_ms).toBeGreaterThanOrEqual(450);
    expect(after).toMatchObject({ exit_code: 0, output_tail: 'after' });
    expect(report.passed).toBe(false);
    const sleepPid = Number(await readFile(pidFile, 'utf8'));
    await waitFor(() => (processRunning(sleepPid) ? undefined : true), {
      timeoutMs: 2000,
      what: 'sleep to die',
    });
  });

  it('does not wait for a background process the command left behind', async () => {
    const started = Date.now();
    const report = await runAcceptance({
      cwd: dir,
      commands: ['sleep 30 & echo started'],
      timeoutMs: 10_000,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.results[0]).toMatchObject({ exit_code: 0, timed_out: false, output_tail: 'started' });
  });

  it('returns when the command exits, and ends a detached child that holds its output (setsid)', async () => {
    const pidFile = path.join(dir, 'holder.pid');
    const started = Date.now();
    const report = await runAcceptance({
      cwd: dir,
      // `setsid sleep 99 & true`, exiting only once the child is in a session of its own
      // (out of the command's process group); the child keeps stdout open.
      commands: [`echo "$FLUX_ACCEPTANCE_RUN"; ${detached(pidFile)}`],
      timeoutMs: 20_000,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const result = report.results[0]!;
    expect(result).toMatchObject({ exit_code: 0, timed_out: false });
    expect(result.duration_ms).toBeLessThan(5000);
    const run = result.output_tail.trim();
    expect(run).toMatch(/^[0-9a-f]{16,}$/);
    await expectNoneMarked(run);
    await expectDead(Number(await readFile(pidFile, 'utf8')));
  });

  it('holds the timeout even when a detached child holds the output pipe', async () => {
    const started = Date.now();
    const report = await runAcceptance({
      cwd: dir,
      commands: ['echo "$FLUX_ACCEPTANCE_RUN"; setsid sleep 99 & sleep 99', 'echo after'],
      timeoutMs: 1000,
    });
    // The deadline, then at most the SIGTERM grace (2 s) and the output grace (1 s).
    expect(Date.now() - started).toBeLessThan(1000 + 3000 + 1000);
    const [timedOut, after] = report.results;
    expect(timedOut).toMatchObject({ exit_code: null, timed_out: true });
    expect(timedOut!.duration_ms).toBeGreaterThanOrEqual(950);
    expect(timedOut!.duration_ms).toBeLessThan(1000 + 3000 + 500);
    expect(after).toMatchObject({ exit_code: 0, output_tail: 'after' });
    await expectNoneMarked(timedOut!.output_tail.trim());
  });

  it('ends a daemon the command started, though it left the output pipe alone', async () => {
    const pidFile = path.join(dir, 'daemon.pid');
    const report = await runAcceptance({
      cwd: dir,
      commands: [`echo "$FLUX_ACCEPTANCE_RUN"; ${detached(pidFile, 'exec >/dev/null 2>&1; ')}`],
      timeoutMs: 20_000,
    });
    expect(report.results[0]).toMatchObject({ exit_code: 0, timed_out: false });
    await expectNoneMarked(report.results[0]!.output_tail.trim());
    await expectDead(Number(await readFile(pidFile, 'utf8')));
  });

  it('ends the group of a detached child, with a grandchild that dropped the environment', async () => {
    const pidFile = path.join(dir, 'scrubbed.pid');
    const report = await runAcceptance({
      cwd: dir,
      commands: [
        `setsid sh -c 'env -i sleep 99 & echo $! > "${pidFile}"; wait' & while [ ! -s "${pidFile}" ]; do sleep 0.05; done`,
      ],
      timeoutMs: 20_000,
    });
    expect(report.results[0]).toMatchObject({ exit_code: 0, timed_out: false });
    await expectDead(Number(await readFile(pidFile, 'utf8')));
  });

  it('keeps only the last lines of long output', async () => {
    const report = await runAcceptance({ cwd: dir, commands: ['seq 1 1000'], timeoutMs: 10_000 });
    const tail = report.results[0]?.output_tail.split('\n') ?? [];
    expect(tail).toHaveLength(60);
    expect(tail[0]).toBe('941');
    expect(tail.at(-1)).toBe('1000');
  });

  it('is an ExternalError when the directory does not exist', async () => {
    await expect(
      runAcceptance({ cwd: path.join(dir, 'missing'), commands: ['true'], timeoutMs: 1000 }),
    ).rejects.toBeInstanceOf(ExternalError);
  });

  it('passes with no commands', async () => {
    expect(await runAcceptance({ cwd: dir, commands: [], timeoutMs: 1000 })).toEqual({
      passed: true,
      results: [],
    });
  });
});

describe('OutputTail', () => {
  it('bounds the bytes kept, even for one huge line', () => {
    const tail = new OutputTail(60, 1024);
    for (let i = 0; i < 100; i++) tail.push('é'.repeat(500));
    const text = tail.toString();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    expect(text).toMatch(/^é+$/);
  });

  it('drops whole lines first to fit the byte budget', () => {
    const tail = new OutputTail(60, 100);
    tail.push(`${'a'.repeat(80)}\n${'b'.repeat(50)}\n`);
    expect(tail.toString()).toBe('b'.repeat(50));
  });
});
