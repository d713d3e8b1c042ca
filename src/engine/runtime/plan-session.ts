/**
 * Running claude for `flux plan new`: in this terminal (it owns the
 * terminal until it exits), or in a tmux session on Flux's server, and
 * watching for the plan file it is asked to write.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import os from 'node:os';
import { createTmux } from '../../effects/tmux.js';

export interface ClaudeRun {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

/** Runs claude attached to this terminal; resolves with its exit status (128 + n for a signal). */
export function runInTerminal(run: ClaudeRun): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.argv[0]!, run.argv.slice(1), {
      cwd: run.cwd,
      env: { ...process.env, ...run.env },
      stdio: 'inherit',
    });
    // Ctrl+C belongs to claude while it runs: it reaches it through the terminal.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    child.on('error', (error) => {
      process.off('SIGINT', ignore);
      reject(error);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? 128 + (signal === null ? 0 : (os.constants.signals[signal] ?? 0)));
    });
  });
}

export interface PlanTmux {
  /** The command that attaches a terminal to the session. */
  attach: string[];
  alive(): Promise<boolean>;
}

/** Starts claude in the tmux session `name` (on `socket`, or the user's server); RefusedError when it exists. */
export async function startInTmux(
  run: ClaudeRun & { name: string; socket: string | undefined },
): Promise<PlanTmux> {
  const tmux = createTmux(run.socket === undefined ? {} : { socket: run.socket });
  await tmux.isInstalled();
  await tmux.newSession({ name: run.name, cwd: run.cwd, command: run.argv, env: run.env });
  return { attach: tmux.attachArgs(run.name), alive: () => tmux.hasSession(run.name) };
}

/** Whether the tmux session `name` exists on `socket`. */
export async function tmuxSessionExists(name: string, socket: string | undefined): Promise<boolean> {
  const tmux = createTmux(socket === undefined ? {} : { socket });
  await tmux.isInstalled();
  return tmux.hasSession(name);
}

/** A file's size and time, to tell when it changed and when it has settled; null while it does not exist. */
export function fileStamp(file: string): string | null {
  try {
    const info = statSync(file);
    return info.isFile() ? `${info.size}:${info.mtimeMs}` : null;
  } catch {
    return null;
  }
}
