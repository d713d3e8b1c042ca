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
 * Each command runs in its own session and process group, with a random
 * marker in its environment (FLUX_ACCEPTANCE_RUN) that its descendants
 * inherit, also those that leave the group with `setsid`. The timeout bounds
 * the call, whatever the command leaves behind:
 * - when the command's own process exits, everything it left running (the
 *   group, every process with its marker, and their groups) is killed, and
 *   output is read for at most OUTPUT_GRACE_MS more: a leftover Flux could
 *   not find (one that dropped its environment and left the group) does not
 *   hold the call by keeping the output pipe open;
 * - at the deadline all of it gets SIGTERM, then SIGKILL after
 *   KILL_GRACE_MS, and output is read for at most OUTPUT_GRACE_MS more.
 * So a command returns within timeout + 3 s at worst. If Flux itself exits
 * first, what is still running is killed. The marker scan reads /proc
 * (Linux); elsewhere only the process group is killed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { ACCEPTANCE_ENV } from '../agents/protocol.js';
import { ExternalError } from '../errors.js';
import type { AcceptanceResult } from '../log/events.js';
import { mergeEnv } from './exec.js';
import { processesWithEnv, readStat } from './process-tree.js';

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
export const KILL_GRACE_MS = 2000;
/**
 * How long output is still read after the command's own process has exited
 * (and what it left behind was killed): enough for the pipe to drain, and
 * the bound when something Flux could not find still holds it open.
 */
export const OUTPUT_GRACE_MS = 1000;
/** Set, to a fresh random value, in the environment of each command: its descendants carry it. */
export const RUN_MARKER = ACCEPTANCE_ENV.run;

/** Commands still running (marker → process group), ended if Flux itself exits first. */
const liveRuns = new Map<string, number>();
let exitHookInstalled = false;

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone.
  }
}

/**
 * Signals what a command started: its process group, every process that
 * carries its marker (they escaped the group with `setsid` or `setpgid`),
 * and those processes' own groups (their children that dropped the
 * environment). Flux's own group is never signalled.
 */
function endRun(group: number, marker: string, sig: NodeJS.Signals): number {
  signal(-group, sig);
  const own = readStat(process.pid)?.pgrp;
  const marked = processesWithEnv(RUN_MARKER, marker);
  for (const pid of marked) {
    const pgrp = readStat(pid)?.pgrp;
    if (pgrp !== undefined && pgrp > 1 && pgrp !== own) signal(-pgrp, sig);
    signal(pid, sig);
  }
  return marked.length;
}

/** SIGKILL until no process with the marker is left (one may fork while the others die). */
function killRun(group: number, marker: string): void {
  for (let round = 0; round < 5 && endRun(group, marker, 'SIGKILL') > 0; round++);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [marker, group] of liveRuns) killRun(group, marker);
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
  const marker = randomBytes(12).toString('hex');
  return new Promise((resolve, reject) => {
    // The outer sh only points stderr at stdout, then becomes `sh -c <command>` (same pid, same group).
    const child = spawn('/bin/sh', ['-c', 'exec 2>&1; exec /bin/sh -c "$1"', 'sh', command], {
      cwd: options.cwd,
      env: { ...env, [RUN_MARKER]: marker },
      detached: true, // its own session and process group, to kill it whole
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const group = child.pid;
    if (group !== undefined) liveRuns.set(marker, group);
    let timedOut = false;
    let exited = false;
    let exitCode: number | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, action: () => void): void => {
      timers.push(setTimeout(action, ms));
    };

    const decoder = new StringDecoder('utf8');
    const take = (text: string): void => {
      if (text === '') return;
      tail.push(text);
      options.onOutput?.(text, command);
    };

    const finish = (): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      if (group !== undefined) {
        killRun(group, marker);
        liveRuns.delete(marker);
      }
      // Whatever still holds the pipe is not waited for.
      child.stdout.removeAllListeners('data');
      child.stdout.destroy();
      take(decoder.end());
      resolve({
        command,
        exit_code: timedOut ? null : exitCode,
        timed_out: timedOut,
        duration_ms: Math.round(performance.now() - started),
        output_tail: tail.toString(),
      });
    };

    later(options.timeoutMs, () => {
      if (group === undefined || exited) return;
      timedOut = true;
      endRun(group, marker, 'SIGTERM');
      later(KILL_GRACE_MS, () => {
        killRun(group, marker);
        // Output read until the grace is over; the command cannot hold the call longer.
        later(OUTPUT_GRACE_MS, finish);
      });
    });

    child.stdout.on('data', (data: Buffer) => take(decoder.write(data)));
    child.on('exit', (code) => {
      exited = true;
      exitCode = code;
      // Leftovers (background jobs, detached daemons) would hold the pipe open, and outlive Flux.
      if (group !== undefined) killRun(group, marker);
      later(OUTPUT_GRACE_MS, finish);
    });
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      liveRuns.delete(marker);
      reject(new ExternalError(`could not run acceptance command '${command}': ${error.message}`));
    });
    // 'close' comes after the exit, once the output pipe is drained and closed by everyone.
    child.on('close', finish);
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
