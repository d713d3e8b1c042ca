/**
 * Runs a stage's acceptance commands in its worktree.
 *
 * Commands are shell by design (the plan author writes `npm test -- --run`),
 * each through `sh -c` with stdout and stderr on one pipe, so the captured
 * output interleaves exactly as a terminal would show it.
 *
 * All commands run, in order, even after one fails: the agent (or the person
 * at `flux verify`) then sees every failure at once instead of fixing them
 * one round trip at a time. `passed` is true only when every command exited 0.
 *
 * Each command runs in its own process group. On timeout the whole group is
 * killed (SIGTERM, then SIGKILL after a grace period), so a test runner's
 * children go too; processes a command leaves behind in the background are
 * killed when it exits.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { ExternalError } from '../errors.js';
import type { AcceptanceResult } from '../log/events.js';
import { mergeEnv } from './exec.js';

export type { AcceptanceResult };

export interface AcceptanceOptions {
  /** The worktree to run in. */
  cwd: string;
  commands: readonly string[];
  /** Per command. */
  timeoutMs: number;
  /** Output as it arrives, for live display. */
  onOutput?: (chunk: string, command: string) => void;
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

export interface AcceptanceReport {
  passed: boolean;
  results: AcceptanceResult[];
}

/** How much of a command's output is kept for `output_tail`. */
export const TAIL_LINES = 60;
export const TAIL_BYTES = 16 * 1024;
/** Time between SIGTERM and SIGKILL when a command times out. */
const KILL_GRACE_MS = 2000;

/** Process groups still running, killed if Flux itself exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

/** Keeps the end of a stream within a byte budget, cut at line boundaries when it can. */
export class OutputTail {
  private text = '';

  constructor(
    private readonly maxLines = TAIL_LINES,
    private readonly maxBytes = TAIL_BYTES,
  ) {}

  push(chunk: string): void {
    this.text += chunk;
    // Trim only now and then, so a chatty command costs amortised O(1) per chunk.
    if (this.text.length > this.maxBytes * 4) this.text = this.text.slice(-this.maxBytes * 2);
  }

  toString(): string {
    let lines = this.text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    lines = lines.slice(-this.maxLines);
    let tail = lines.join('\n');
    while (Buffer.byteLength(tail) > this.maxBytes) {
      const newline = tail.indexOf('\n');
      if (newline !== -1) {
        tail = tail.slice(newline + 1);
        continue;
      }
      // One huge line: keep its last bytes, minus a character cut in half.
      tail = Buffer.from(tail)
        .subarray(-this.maxBytes)
        .toString('utf8')
        .replace(/^\uFFFD+/, '');
      break;
    }
    return tail;
  }
}

function runOne(
  command: string,
  options: AcceptanceOptions,
  env: Record<string, string>,
): Promise<AcceptanceResult> {
  const started = performance.now();
  const tail = new OutputTail();
  return new Promise((resolve, reject) => {
    // The outer sh only points stderr at stdout, then becomes `sh -c <command>` (same pid, same group).
    const child = spawn('/bin/sh', ['-c', 'exec 2>&1; exec /bin/sh -c "$1"', 'sh', command], {
      cwd: options.cwd,
      env,
      detached: true, // its own process group, to kill it whole
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    let timedOut = false;
    let forceKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      if (pid === undefined) return;
      timedOut = true;
      killGroup(pid, 'SIGTERM');
      forceKill = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    }, options.timeoutMs);

    const decoder = new StringDecoder('utf8');
    const take = (text: string): void => {
      if (text === '') return;
      tail.push(text);
      options.onOutput?.(text, command);
    };
    child.stdout.on('data', (data: Buffer) => take(decoder.write(data)));
    child.on('exit', () => {
      // Background leftovers would hold the pipe open and keep us waiting.
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      if (pid !== undefined) liveGroups.delete(pid);
      reject(new ExternalError(`could not run acceptance command '${command}': ${error.message}`));
    });
    // 'close' comes after the exit and after the output pipe is drained.
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      if (pid !== undefined) liveGroups.delete(pid);
      take(decoder.end());
      resolve({
        command,
        exit_code: timedOut ? null : code,
        timed_out: timedOut,
        duration_ms: Math.round(performance.now() - started),
        output_tail: tail.toString(),
      });
    });
  });
}

export async function runAcceptance(options: AcceptanceOptions): Promise<AcceptanceReport> {
  const info = await stat(options.cwd).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new ExternalError(`cannot run acceptance commands: ${options.cwd} is not a directory`);
  }
  installExitHook();
  const env = mergeEnv(options.env);
  const results: AcceptanceResult[] = [];
  for (const command of options.commands) {
    results.push(await runOne(command, options, env));
  }
  return { passed: results.every((result) => result.exit_code === 0 && !result.timed_out), results };
}
