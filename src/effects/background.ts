/**
 * A process in the background, detached from the terminal that started it:
 * its own session (setsid: closing the terminal or an ssh disconnect sends
 * it no SIGHUP), no stdin, stdout and stderr appended to a log file. Used for
 * the supervisor (`flux supervise`).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ExternalError } from '../errors.js';

export interface Background {
  pid: number;
  /** Resolves when the process has exited (a detached child is not waited for otherwise). */
  exited: Promise<number | null>;
}

export function startInBackground(
  argv: readonly string[],
  options: { cwd: string; log: string },
): Background {
  mkdirSync(path.dirname(options.log), { recursive: true });
  const fd = openSync(options.log, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: process.env,
    });
    if (child.pid === undefined) throw new ExternalError(`could not start ${argv.join(' ')}`);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log, for an error message. */
export function logTail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Asks a process to end (SIGTERM), waits up to `graceMs`, then kills it; resolves when it is gone. */
export async function endProcess(pid: number, graceMs = 10_000): Promise<'ended' | 'killed' | 'gone'> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  if (!alive()) return 'gone';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive()) return 'ended';
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  process.kill(pid, 'SIGKILL');
  while (alive()) await new Promise((resolve) => setTimeout(resolve, 25));
  return 'killed';
}
