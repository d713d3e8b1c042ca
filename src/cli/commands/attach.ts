/**
 * `flux attach <stage|session|tmux-name>`: put this terminal on a live
 * session's tmux session (`attach-session`, or `switch-client` from inside
 * tmux), with stdio inherited; detaching leaves the agent running.
 * `flux attach list`: the sessions that can be attached to.
 */
import { spawn } from 'node:child_process';
import { Runtime } from '../../engine/runtime.js';
import { sessionAlive, type FluxState } from '../../engine/state.js';
import { ExitCode, ExternalError } from '../../errors.js';
import { sessionActivity } from '../../engine/views.js';
import { planAttach } from '../actions/attach.js';
import { paintStatus, print, printJson, say, table } from '../output.js';
import { tmuxNames } from '../tmux-names.js';

export interface AttachRow {
  /** The tmux session name. */
  session: string;
  /** The Flux session id. */
  id: string;
  stage: string;
  status: string;
  context: number | null;
  agent: string;
}

/** Sessions alive in the log whose tmux session exists. */
export function attachable(state: FluxState, tmux: ReadonlySet<string>): AttachRow[] {
  return Object.values(state.sessions)
    .filter((s) => sessionAlive(s) && s.tmux !== '' && tmux.has(s.tmux))
    .map((s) => ({
      session: s.tmux,
      id: s.id,
      stage: s.stage,
      status: s.status,
      context: s.context,
      agent: s.agent,
    }));
}

export async function list(options: { json?: boolean }): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const rows = attachable(state, await tmuxNames(runtime));
  if (options.json === true) {
    printJson(rows);
    return ExitCode.ok;
  }
  if (rows.length === 0) {
    say(
      'No live sessions to attach to. `flux run` starts the ready stages; `flux status` shows every stage.',
    );
    return ExitCode.ok;
  }
  print(
    table(
      ['SESSION', 'STAGE', 'STATUS', 'CONTEXT'],
      rows.map((row) => [
        row.session,
        row.stage,
        paintStatus(sessionActivity({ status: row.status, agent: row.agent, tmux: row.session })),
        row.context === null ? '-' : `${Math.round(row.context)}%`,
      ]),
      // The tmux name is long (prefix, project, id); `flux attach <stage>` works as well.
      { shrink: [[0], [1]] },
    ),
  );
  return ExitCode.ok;
}

export async function run(target: string): Promise<number> {
  const runtime = Runtime.open();
  const { argv, banner } = await planAttach(runtime, target, {
    terminal: process.stdin.isTTY === true && process.stdout.isTTY === true,
  });
  print(banner);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.on('error', (error) => reject(attachFailure(argv, error)));
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 0 : 128)));
  });
}

/** tmux could not be run at all. */
export function attachFailure(argv: readonly string[], error: Error): ExternalError {
  return new ExternalError(
    `cannot run ${argv[0]}: ${error.message}`,
    'is tmux installed? (apt-get install tmux)',
  );
}
