/**
 * `flux attach <stage|session|tmux-name> [--print]`: put this terminal on a
 * live session's tmux session (`attach-session`, or `switch-client` from
 * inside tmux; `ssh -t … tmux attach-session` for a session on a host), with
 * stdio inherited; detaching leaves the agent running. `--print` prints that
 * command line instead of running it.
 * `flux attach list`: the sessions that can be attached to, and where.
 */
import { spawn } from 'node:child_process';
import { sessionMachine, showsHosts, UNREACHABLE_MARK } from '../../engine/host-view.js';
import { Runtime, shellJoin } from '../../engine/runtime.js';
import { sessionAlive, type FluxState } from '../../engine/state.js';
import { ExitCode, ExternalError } from '../../errors.js';
import { sessionActivity } from '../../engine/views.js';
import { planAttach } from '../actions/attach.js';
import { paint, paintStatus, print, printJson, say, table } from '../output.js';
import { tmuxAlive, tmuxSeen, unanswered, type TmuxSeen } from '../tmux-names.js';

export interface AttachRow {
  /** The tmux session name. */
  session: string;
  /** The Flux session id. */
  id: string;
  stage: string;
  status: string;
  context: number | null;
  agent: string;
  /** The machine it runs on: `local` or a `[hosts.<name>]`. */
  host: string;
}

/** Sessions alive in the log whose tmux session exists where they run (here or on their host). */
export function attachable(state: FluxState, seen: TmuxSeen): AttachRow[] {
  return Object.values(state.sessions)
    .filter((s) => sessionAlive(s) && s.tmux !== '' && tmuxAlive(seen, s) === true)
    .map((s) => ({
      session: s.tmux,
      id: s.id,
      stage: s.stage,
      status: s.status,
      context: s.context,
      agent: s.agent,
      host: sessionMachine(s),
    }));
}

/** The table of `flux attach list`; HOST only where hosts are in use. */
export function attachTable(rows: readonly AttachRow[], hosts: boolean, width?: number): string {
  return table(
    ['SESSION', 'STAGE', 'STATUS', ...(hosts ? ['HOST'] : []), 'CONTEXT'],
    rows.map((row) => [
      row.session,
      row.stage,
      paintStatus(sessionActivity({ status: row.status, agent: row.agent, tmux: row.session })),
      ...(hosts ? [row.host] : []),
      row.context === null ? '-' : `${Math.round(row.context)}%`,
    ]),
    // The tmux name is long (prefix, project, id); `flux attach <stage>` works as well.
    { shrink: [[0], [1]], ...(width === undefined ? {} : { width }) },
  );
}

export async function list(options: { json?: boolean }): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const live = Object.values(state.sessions).filter((s) => sessionAlive(s));
  const seen = await tmuxSeen(runtime, live);
  const rows = attachable(state, seen);
  if (options.json === true) {
    printJson(rows);
    return ExitCode.ok;
  }
  const away = unanswered(seen);
  if (rows.length === 0 && away.length === 0) {
    say(
      'No live sessions to attach to. `flux run` starts the ready stages; `flux status` shows every stage.',
    );
    return ExitCode.ok;
  }
  if (rows.length > 0) {
    const hosts = showsHosts(
      rows.map((row) => row.host),
      [],
      Object.keys(runtime.config.hosts),
    );
    print(attachTable(rows, hosts));
  }
  // Sessions the log has on a host that did not answer: they may well be alive, but cannot be reached now.
  for (const { host, why } of away) {
    const there = live.filter((s) => s.host === host).map((s) => s.id);
    say(
      paint(
        `${host} ${UNREACHABLE_MARK}: cannot be reached (${why}); its sessions ${there.join(', ')} are not listed. \`flux doctor\` checks the host.`,
        'red',
      ),
    );
  }
  return ExitCode.ok;
}

export async function run(target: string, options: { print?: boolean } = {}): Promise<number> {
  const runtime = Runtime.open();
  const { argv, banner } = await planAttach(runtime, target, {
    terminal: process.stdin.isTTY === true && process.stdout.isTTY === true,
    print: options.print === true,
  });
  if (options.print === true) {
    // The command line alone on stdout, to paste or to run from a script.
    print(shellJoin(argv));
    return ExitCode.ok;
  }
  print(banner);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.on('error', (error) => reject(attachFailure(argv, error)));
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 0 : 128)));
  });
}

/** tmux (or ssh, for a session on a host) could not be run at all. */
export function attachFailure(argv: readonly string[], error: Error): ExternalError {
  return new ExternalError(
    `cannot run ${argv[0]}: ${error.message}`,
    argv[0] === 'ssh'
      ? 'is the OpenSSH client installed? (apt-get install openssh-client)'
      : 'is tmux installed? (apt-get install tmux)',
  );
}
