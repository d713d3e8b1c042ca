/**
 * A call to a host opened before its request is known: ssh's session and
 * the host's Flux start (together ~0.3 s on a loaded machine) while the
 * request is made here, and the request goes on its stdin when ready. The
 * supervisor keeps one `flux host launch` open per host (world.ts), so a
 * start there waits on neither. Idle, it holds nothing of this process
 * alive; dismissed (stdin closed), the host's side reads nothing and ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { ToolResult } from '../exec.js';
import { controlDir, sshArgs } from '../ssh/argv.js';
import { remoteCommand } from '../ssh/quote.js';
import { SSH_FAILED, sshComplaint } from '../ssh/run.js';
import { HostUnreachableError, type HostTarget } from './call.js';

type Handle = { ref?: () => void; unref?: () => void };
const handles = (child: ChildProcess) => [child.stdin, child.stdout, child.stderr] as (Handle | null)[];

export class OpenCall {
  private readonly child: ChildProcess;
  private stdout = '';
  private stderr = '';
  private closed: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private onClose: (() => void) | undefined;
  private asked = false;

  constructor(
    private readonly host: HostTarget,
    argv: readonly string[],
  ) {
    mkdirSync(controlDir(), { recursive: true, mode: 0o700 });
    this.child = spawn('ssh', sshArgs(host, { command: remoteCommand(argv) }), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    (this.child.stdout as Readable).setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    (this.child.stderr as Readable).setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      if (this.stderr.length > 64 * 1024) this.stderr = this.stderr.slice(-32 * 1024);
    });
    (this.child.stdin as Writable).on('error', () => {});
    this.child.on('error', () => (this.closed ??= { code: SSH_FAILED, signal: null }));
    this.child.on('close', (code, signal) => {
      this.closed ??= { code, signal };
      this.onClose?.();
    });
    this.child.unref();
    for (const handle of handles(this.child)) handle?.unref?.();
  }

  /** Still open and not asked yet. */
  get open(): boolean {
    return this.closed === undefined && !this.asked;
  }

  /**
   * Sends the request and waits for the answer, as onHost does; null when
   * the call had ended before it was asked (the caller opens another).
   */
  ask(input: string, timeoutMs: number): Promise<ToolResult | null> {
    if (!this.open) return Promise.resolve(null);
    this.asked = true;
    this.child.ref();
    for (const handle of handles(this.child)) handle?.ref?.();
    (this.child.stdin as Writable).end(input);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new HostUnreachableError(this.host.name, `no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        const { code, signal } = this.closed!;
        if (code === SSH_FAILED) {
          reject(new HostUnreachableError(this.host.name, sshComplaint(this.stderr)));
          return;
        }
        const strip = (text: string) => text.replace(/\r?\n$/, '');
        resolve({
          exitCode: code ?? (signal === null ? 1 : 129),
          stdout: strip(this.stdout),
          stderr: strip(this.stderr),
        });
      };
      if (this.closed !== undefined) settle();
      else this.onClose = settle;
    });
  }

  /** Closes its stdin: the host's side reads an empty request and ends. */
  dismiss(): void {
    if (this.asked) return;
    this.asked = true;
    (this.child.stdin as Writable).end();
  }
}
