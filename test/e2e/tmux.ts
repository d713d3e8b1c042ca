// tmux on a private socket (`tmux -L e2e-<rand>`), so the suite never sees or
// touches a user's own sessions; `killServer()` removes everything it made.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export class Tmux {
  readonly socket: string;

  constructor(socket = `e2e-${randomBytes(4).toString('hex')}`) {
    this.socket = socket;
  }

  run(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // A tmux client started from inside tmux would refuse to nest.
      env: { ...process.env, TMUX: '' },
    });
  }

  /** Starts a detached session running `command` (a shell command line). */
  newSession(
    name: string,
    cwd: string,
    command: string,
    opts: { width?: number; height?: number; keepDeadPane?: boolean } = {},
  ): void {
    this.run([
      'new-session',
      '-d',
      '-s',
      name,
      '-c',
      cwd,
      '-x',
      String(opts.width ?? 200),
      '-y',
      String(opts.height ?? 50),
      command,
    ]);
    // Keep the pane after its process exits, so a test can see how it ended.
    if (opts.keepDeadPane) this.run(['set-option', '-t', name, 'remain-on-exit', 'on']);
  }

  hasSession(name: string): boolean {
    try {
      this.run(['has-session', '-t', `=${name}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** The pane's visible text (plus `history` lines of scrollback). */
  capture(name: string, history = 0): string {
    return this.run(['capture-pane', '-p', '-t', name, '-S', String(-history)]);
  }

  /** send-keys: each argument is a key name ("Enter", "Escape", "C-c") or literal text. */
  sendKeys(name: string, ...keys: string[]): void {
    this.run(['send-keys', '-t', name, ...keys]);
  }

  /** Literal text, no key-name lookup. */
  typeText(name: string, text: string): void {
    this.run(['send-keys', '-t', name, '-l', text]);
  }

  /** The pane's process and, once it is gone, how it ended (exit status or signal number). */
  paneInfo(name: string): { pid: number; dead: boolean; exitStatus?: number; signal?: number } {
    const fmt = '#{pane_pid} #{pane_dead} #{pane_dead_status}. #{pane_dead_signal}.';
    const [pid, dead, status, signal] = this.run(['display-message', '-p', '-t', name, fmt])
      .trim()
      .split(' ');
    const num = (s = '') => (s.length > 1 ? Number(s.slice(0, -1)) : undefined);
    return { pid: Number(pid), dead: dead === '1', exitStatus: num(status), signal: num(signal) };
  }

  /** Ends the server and removes its socket file (tmux leaves it behind). */
  killServer(): void {
    try {
      this.run(['kill-server']);
    } catch {
      // no server running
    }
    const uid = process.getuid?.() ?? 0;
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, this.socket), { force: true });
  }
}
