/** Detached sessions, one per agent: starting, finding, listing and ending them, and attaching a terminal. */
import path from 'node:path';
import { RefusedError } from '../../errors.js';
import { toolFailure } from '../exec.js';
import type { TmuxClient } from './client.js';
import { assertSessionName, isPaneId } from './names.js';
import type { TmuxPanes } from './panes.js';
import { parseSessions, SESSION_FORMAT } from './parse.js';
import { commandArgs, dirArg, envArgs } from './quote.js';
import type { NewSessionOptions, TmuxSessionInfo } from './types.js';

/** A pane id (`%7`) is accepted wherever a session name is: its pane answers (`panes`). */
export function tmuxSessions(client: TmuxClient, panes: TmuxPanes) {
  const { socket, socketArgs, run } = client;
  async function hasSession(name: string): Promise<boolean> {
    if (isPaneId(name)) return (await panes.listPanes()).some((pane) => pane.id === name && !pane.dead);
    const result = await run(['has-session', '-t', `=${name}`]);
    return result.exitCode === 0;
  }

  async function newSession(session: NewSessionOptions): Promise<void> {
    assertSessionName(session.name);
    await client.checkDirectory(session.cwd);
    const create = [
      'new-session',
      '-d',
      '-s',
      session.name,
      '-c',
      dirArg(session.cwd),
      '-x',
      '200',
      '-y',
      '50',
      ...envArgs(session.env),
      '--',
      ...commandArgs(session.command),
    ];
    // Chained in the same call, so the option is set before a quick command can exit.
    const remain = [
      'set-option',
      '-w',
      '-t',
      `=${session.name}:`,
      'remain-on-exit',
      session.remainOnExit ? 'on' : 'off',
    ];
    const result = await run(create, remain);
    if (result.exitCode === 0) return;
    if (result.stderr.includes('duplicate session')) {
      throw new RefusedError(
        `tmux session '${session.name}' already exists`,
        `attach to it, or kill it first`,
      );
    }
    // A command that exits at once ends the session before set-option runs; that is not a failure.
    if (result.stderr.includes("can't find") && !(await hasSession(session.name))) return;
    throw toolFailure('tmux', create, result);
  }

  async function listSessions(prefix = ''): Promise<TmuxSessionInfo[]> {
    const result = await run(['list-sessions', '-F', SESSION_FORMAT]);
    if (result.exitCode !== 0) {
      // No server yet simply means no sessions.
      if (/no server running|error connecting/.test(result.stderr)) return [];
      throw toolFailure('tmux', ['list-sessions'], result);
    }
    return parseSessions(result.stdout).filter((session) => session.name.startsWith(prefix));
  }

  async function killSession(name: string): Promise<boolean> {
    if (isPaneId(name)) return panes.killPane(name);
    const result = await run(['kill-session', '-t', `=${name}`]);
    if (result.exitCode === 0) return true;
    if (!(await hasSession(name))) return false;
    throw toolFailure('tmux', ['kill-session', '-t', `=${name}`], result);
  }

  function attachArgs(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
    const tmux = ['tmux', ...socketArgs];
    // A pane id targets its session, window and pane at once.
    const target = ['-t', isPaneId(name) ? name : `=${name}`];
    const inside = env.TMUX;
    if (inside === undefined || inside === '') return [...tmux, 'attach-session', ...target];
    // $TMUX is `<socket path>,<server pid>,<session index>`.
    const insideSocket = path.basename(inside.split(',')[0] ?? '');
    if (socket === undefined || insideSocket === socket) return [...tmux, 'switch-client', ...target];
    // Inside a client of another server: tmux refuses to nest unless TMUX is unset.
    return ['env', '-u', 'TMUX', ...tmux, 'attach-session', ...target];
  }

  return { hasSession, newSession, listSessions, killSession, attachArgs };
}
