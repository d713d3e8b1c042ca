/**
 * A tmux server of the tests' own (`tmux -L flux-test-<random>`), so tests
 * never see or touch the user's sessions. Kill it in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface PrivateTmux {
  /** The `-L` socket name. */
  socket: string;
  /** Runs `tmux -L <socket> …args`; never throws on a non-zero exit. */
  tmux(args: readonly string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }>;
  /** Ends the server and every session on it, and removes its socket file (tmux leaves it behind). */
  killServer(): Promise<void>;
}

/** The runner's TMUX would point tmux at the user's server; drop it. */
function clientEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'TMUX' && key !== 'TMUX_PANE') env[key] = value;
  }
  return env;
}

/** Where tmux puts a `-L` socket: `$TMUX_TMPDIR` (or /tmp), then `tmux-<uid>`. */
function socketPath(socket: string): string {
  const uid = process.getuid?.() ?? os.userInfo().uid;
  return path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socket);
}

export function privateTmux(): PrivateTmux {
  return privateTmuxOn(`flux-test-${randomBytes(6).toString('hex')}`);
}

/** The tests' own server of a given socket name: a host's (`<socket>-<host>`) when the host is this machine. */
export function privateTmuxOn(socket: string): PrivateTmux {
  const tmux: PrivateTmux['tmux'] = async (args) => {
    const result = await execa('tmux', ['-L', socket, ...args], {
      env: clientEnv(),
      extendEnv: false,
      reject: false,
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  };
  return {
    socket,
    tmux,
    killServer: async () => {
      await tmux(['kill-server']);
      await rm(socketPath(socket), { force: true });
    },
  };
}
