/**
 * One way to run an external tool (git, tmux) with an argument array. Never a
 * shell string: arguments reach the program exactly as given.
 *
 * Built on node:child_process: the monitor makes hundreds of these short
 * calls, and a process library's per-call machinery and load cost showed up
 * as most of its start latency and memory (docs/performance.md). Acceptance
 * commands (src/effects/acceptance.ts) use node:child_process too, with
 * process groups, timeouts and streamed output of their own.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ExternalError } from '../errors.js';

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  cwd?: string;
  /** Variables to set; `undefined` removes one inherited from this process. */
  env?: Record<string, string | undefined>;
  /** Keep the trailing newline; parsers of `-z` output want the raw text. */
  raw?: boolean;
}

/** Text a person can paste to reproduce a call, for error messages. */
export function describeCall(file: string, args: readonly string[]): string {
  return [file, ...args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
}

/**
 * Runs `file` with `args` and returns its exit code and output; a non-zero exit
 * is a result, not an error. A missing program is an ExternalError with
 * `missingHint`, so the user learns how to install it.
 */
export async function runTool(
  file: string,
  args: readonly string[],
  options: ToolOptions & { missingHint: string },
): Promise<ToolResult> {
  const result = await new Promise<{
    code: number | string | null;
    stdout: string;
    stderr: string;
    message: string;
  }>((resolve) => {
    const child = execFile(
      file,
      [...args],
      { cwd: options.cwd, env: mergeEnv(options.env), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : ((error as NodeJS.ErrnoException).code ?? null);
        resolve({
          code: typeof code === 'number' || typeof code === 'string' ? code : null,
          stdout,
          stderr,
          message: error?.message ?? '',
        });
      },
    );
    child.stdin?.end();
  });
  if (typeof result.code === 'string') {
    if (options.cwd !== undefined && !existsSync(options.cwd)) {
      // Node reports a missing cwd as ENOENT too; say which one it was.
      throw new ExternalError(`cannot run ${file}: directory ${options.cwd} does not exist`);
    }
    if (result.code === 'ENOENT')
      throw new ExternalError(`${file} is not installed (or not on PATH)`, options.missingHint);
    // Spawning failed for another reason (permissions).
    throw new ExternalError(`could not run ${describeCall(file, args)}: ${result.message}`);
  }
  const strip = (text: string) => (options.raw === true ? text : text.replace(/\r?\n$/, ''));
  // A tool killed by a signal has no exit code; 128 + n is how shells report it.
  return { exitCode: result.code ?? 129, stdout: strip(result.stdout), stderr: strip(result.stderr) };
}

/** This process's environment with `changes` applied (`undefined` removes a variable). */
export function mergeEnv(changes: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...changes })) {
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** The error for a call that failed unexpectedly, with the tool's own words. */
export function toolFailure(
  file: string,
  args: readonly string[],
  result: ToolResult,
  hint?: string,
): ExternalError {
  const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
  return new ExternalError(`${describeCall(file, args)} failed: ${detail}`, hint);
}
