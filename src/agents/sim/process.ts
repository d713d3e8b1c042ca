/**
 * Runs the child processes the simulated agent starts (hooks, shell commands,
 * git, flux). A failure is a result to print, never an exception: an agent
 * whose tool call fails reads the error and carries on.
 */
import { execa } from 'execa';
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
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  input?: string;
  /** Aborted when the agent is told to end; the child is terminated. */
  signal?: AbortSignal | undefined;
  /** stderr into stdout, interleaved as a terminal shows it. */
  interleave?: boolean;
}

export async function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    reject: false,
    timeout: options.timeoutMs,
    cancelSignal: options.signal,
    forceKillAfterDelay: 2000,
    all: options.interleave === true,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  const stdout = options.interleave === true ? (result.all ?? '') : result.stdout;
  let problem: string | undefined;
  if (result.timedOut) problem = `timed out after ${Math.round(options.timeoutMs / 1000)} s`;
  else if (result.isCanceled) problem = 'cancelled';
  else if (result.exitCode === undefined) problem = result.shortMessage;
  return { exitCode: result.exitCode, stdout, stderr: result.stderr, timedOut: result.timedOut, problem };
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
