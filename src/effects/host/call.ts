/**
 * Calls to a host as results, like the local tools' (src/effects/exec.ts): a
 * command's exit is a result; ssh's own failure (no route, no login, a host
 * key it does not know) is a HostUnreachableError, which the supervisor
 * records as the host being unreachable rather than as the command failing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { ExternalError } from '../../errors.js';
import type { ToolResult } from '../exec.js';
import { controlDir, sshArgs, type SshTarget } from '../ssh/argv.js';
import { remoteCommand } from '../ssh/quote.js';
import { runOnHost, SSH_FAILED, sshComplaint } from '../ssh/run.js';

export class HostUnreachableError extends ExternalError {
  constructor(
    readonly host: string,
    readonly why: string,
  ) {
    super(
      `host ${host} cannot be reached: ${why}`,
      `check it with \`flux doctor\`; its stages wait until it answers (docs/hosts.md)`,
    );
  }
}

export interface HostTarget extends SshTarget {
  /** The `[hosts.<name>]` name, for messages. */
  name: string;
}

/** Runs `argv` on the host; resolves with its exit and output, rejects when ssh could not reach it. */
export async function onHost(
  host: HostTarget,
  argv: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  const result = await runOnHost(host, argv, options);
  if (!result.ok) throw new HostUnreachableError(host.name, result.why);
  const strip = (text: string) => text.replace(/\r?\n$/, '');
  return { exitCode: result.exitCode, stdout: strip(result.stdout), stderr: strip(result.stderr) };
}

/** Like onHost, but a non-zero exit is an ExternalError with the host's words. */
export async function onHostOutput(
  host: HostTarget,
  argv: readonly string[],
  input?: string,
): Promise<string> {
  const result = await onHost(host, argv, input === undefined ? {} : { input });
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
    throw new ExternalError(`on ${host.name}: ${argv.join(' ')} failed: ${detail}`);
  }
  return result.stdout;
}

/**
 * A long call whose stderr is streamed as it comes (acceptance output) and
 * whose stdin can be a byte stream (a tar of the bundle): resolves with the
 * exit and stdout; ssh's own failure (255) rejects as unreachable.
 */
export function streamOnHost(
  host: HostTarget,
  argv: readonly string[],
  options: { input?: string | NodeJS.ReadableStream; onStderr?: (chunk: string) => void },
): Promise<{ exitCode: number; stdout: string }> {
  mkdirSync(controlDir(), { recursive: true, mode: 0o700 });
  const child = spawn('ssh', sshArgs(host, { command: remoteCommand(argv) }), {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
    options.onStderr?.(chunk);
  });
  if (typeof options.input === 'string') child.stdin.end(options.input);
  else if (options.input !== undefined) options.input.pipe(child.stdin);
  else child.stdin.end();
  child.stdin.on('error', () => {});
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new HostUnreachableError(host.name, error.message)));
    child.on('close', (code, signal) => {
      if (code === SSH_FAILED) {
        reject(new HostUnreachableError(host.name, sshComplaint(stderr)));
      } else resolve({ exitCode: code ?? (signal === null ? 1 : 129), stdout });
    });
  });
}
