/**
 * Running a command on a host: ssh with an argument array, a timeout that
 * holds (the whole call, not only the connection), and ssh's own failures
 * told apart from the command's: ssh exits 255 when it could not connect,
 * log in or check the host's key.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { controlDir, sshArgs, type SshTarget } from './argv.js';
import { remoteCommand } from './quote.js';

export type HostResult =
  | { ok: true; exitCode: number; stdout: string; stderr: string }
  /** ssh itself failed: `why` is its last line of complaint. */
  | { ok: false; why: string; stderr: string };

export interface HostCallOptions {
  /** Milliseconds for the whole call; past it the call is killed and counted unreachable. */
  timeoutMs?: number;
  connectTimeout?: number;
  input?: string;
}

/** ssh's own exit when it could not connect, log in or check the key, or lost the connection. */
export const SSH_FAILED = 255;

/** The line of ssh's stderr that says why (its last non-empty one). */
export function sshComplaint(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'the connection was lost (ssh said nothing more)';
}

/** Runs `argv` on `host` (the argv is quoted for the host's shell); or a bare `true` check with []. */
export function runOnHost(
  host: SshTarget,
  argv: readonly string[],
  options: HostCallOptions = {},
): Promise<HostResult> {
  mkdirSync(controlDir(), { recursive: true, mode: 0o700 });
  const args = sshArgs(host, {
    command: remoteCommand(argv.length === 0 ? ['true'] : argv),
    connectTimeout: options.connectTimeout,
  });
  return new Promise((resolve) => {
    const child = execFile(
      'ssh',
      args,
      {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        timeout: options.timeoutMs ?? 30_000,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ ok: true, exitCode: 0, stdout, stderr });
        const failure = error as { killed?: boolean; code?: unknown };
        if (failure.code === 'ENOENT')
          return resolve({
            ok: false,
            why: 'ssh is not installed here (apt-get install openssh-client)',
            stderr,
          });
        if (failure.killed === true)
          return resolve({
            ok: false,
            why: `no answer within ${(options.timeoutMs ?? 30_000) / 1000} s`,
            stderr,
          });
        if (failure.code === SSH_FAILED) return resolve({ ok: false, why: sshComplaint(stderr), stderr });
        resolve({ ok: true, exitCode: typeof failure.code === 'number' ? failure.code : 1, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
