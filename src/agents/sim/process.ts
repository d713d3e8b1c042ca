/**
 * Runs the child processes the simulated agent starts (hooks, shell commands,
 * git, flux). A failure is a result to print, never an exception: an agent
 * whose tool call fails reads the error and carries on.
 */
import { spawn } from 'node:child_process';
import { describeCall } from '../../effects/exec.js';
import { ConfigError } from '../../errors.js';
import { ENV } from '../protocol.js';

export interface ProcessResult {
  /** Undefined when the program could not be started or was killed. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Why it did not run to completion, when it did not. */
  problem: string | undefined;
}

export interface ProcessOptions {
  cwd: string;
  /** The whole environment of the child (nothing is inherited besides). */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  input?: string;
  /** Aborted when the agent is told to end; the child is terminated. */
  signal?: AbortSignal | undefined;
  /** stderr into stdout, interleaved as a terminal shows it. */
  interleave?: boolean;
}

/** Time between SIGTERM and SIGKILL for a child that is timed out or cancelled. */
const KILL_GRACE_MS = 2000;

const stripFinalNewline = (text: string): string => text.replace(/\r?\n$/, '');

export function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let cancelled = false;
    let failed: Error | undefined;
    let forceKill: NodeJS.Timeout | undefined;
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stop = (): void => {
      child.kill('SIGTERM');
      forceKill ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (options.interleave === true) stdout += chunk;
      else stderr += chunk;
    });
    if (options.input !== undefined) {
      // A child that exits without reading its input closes the pipe: not an error of ours.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input);
    }
    child.on('error', (error) => (failed = error));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      options.signal?.removeEventListener('abort', onAbort);
      let problem: string | undefined;
      if (timedOut) problem = `timed out after ${Math.round(options.timeoutMs / 1000)} s`;
      else if (cancelled) problem = 'cancelled';
      else if (failed !== undefined) problem = `could not run ${describeCall(file, args)}: ${failed.message}`;
      else if (code === null) problem = `${describeCall(file, args)} was killed by ${signal ?? 'a signal'}`;
      resolve({
        exitCode: problem === undefined && code !== null ? code : undefined,
        stdout: stripFinalNewline(stdout),
        stderr: stripFinalNewline(stderr),
        timedOut,
        problem,
      });
    });
  });
}

/**
 * The argv prefix that runs Flux, from FLUX_COMMAND. Undefined when it is not
 * set (the agent then runs without hooks, e.g. tried out by hand).
 */
export function fluxCommand(env: NodeJS.ProcessEnv): [string, ...string[]] | undefined {
  const text = env[ENV.fluxCommand];
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((part) => typeof part === 'string')) {
    throw new ConfigError(
      `${ENV.fluxCommand} must be a JSON array of strings, e.g. ["/usr/bin/node","/x/dist/cli/main.js"]; got ${text}`,
    );
  }
  return parsed as [string, ...string[]];
}
