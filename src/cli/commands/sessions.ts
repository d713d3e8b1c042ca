/**
 * `flux sessions [list] [--all] [--json]`: the agent sessions of the log,
 * with their state, agent, tmux session, machine (where hosts are in use),
 * age and context (live ones by default). `flux sessions kill <session-or-stage>`: end a session (recorded,
 * tmux session closed); the worktree and branch stay, and `flux resume`
 * continues the stage in a fresh session.
 */
import { sessionMachine, showsHosts, UNREACHABLE_MARK } from '../../engine/host-view.js';
import { resolveTarget } from '../../engine/lookup.js';
import { Runtime } from '../../engine/runtime.js';
import { sessionAlive, type SessionState } from '../../engine/state.js';
import { ExitCode, RefusedError } from '../../errors.js';
import { sessionActivity } from '../../engine/views.js';
import { paint, paintStatus, print, printJson, say, table } from '../output.js';
import { tmuxAlive, tmuxSeen, unanswered, type TmuxSeen } from '../tmux-names.js';
import { shownWorktree } from '../../engine/runtime/host-views.js';

/** "12s ago", "5m ago", "3h ago", "2d ago". */
export function age(from: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(from)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

interface SessionRow {
  id: string;
  stage: string;
  status: string;
  agent: string;
  tmux: string;
  /** The machine it runs on: `local` or a `[hosts.<name>]`. */
  host: string;
  /** Whether its tmux session exists (null for a session started by hand, or on a host that could not be asked). */
  tmuxAlive: boolean | null;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  context: number | null;
}

export function sessionRow(session: SessionState, seen: TmuxSeen): SessionRow {
  return {
    id: session.id,
    stage: session.stage,
    status: session.status,
    agent: session.agent,
    tmux: session.tmux,
    host: sessionMachine(session),
    tmuxAlive: session.tmux === '' ? null : tmuxAlive(seen, session),
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    endReason: session.endReason,
    context: session.context,
  };
}

/** The log says it is alive, but its tmux session is not there. */
const gone = (r: SessionRow): boolean => r.tmuxAlive === false && sessionAlive(r);

/** What it is doing (a command agent shows `running`), and `(gone)` when its tmux session is. */
function statusCell(r: SessionRow): string {
  const activity = paintStatus(sessionActivity(r));
  return gone(r) ? `${activity} ${paint('(gone)', 'red')}` : activity;
}

export async function run(options: { all?: boolean; json?: boolean }): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const sessions = Object.values(state.sessions).filter((s) => options.all === true || sessionAlive(s));
  const seen = await tmuxSeen(runtime, sessions);
  const rows = sessions.map((s) => sessionRow(s, seen));
  if (options.json === true) {
    printJson(rows);
    return ExitCode.ok;
  }
  if (rows.length === 0) {
    const ended = Object.keys(state.sessions).length;
    say(
      ended === 0 || options.all === true
        ? 'No sessions yet. `flux run` starts the ready stages.'
        : `No live sessions (${ended} ended: \`flux sessions --all\` lists them).`,
    );
    return ExitCode.ok;
  }
  const away = unanswered(seen);
  print(
    sessionsTable(
      rows,
      Object.keys(runtime.config.hosts),
      away.map((a) => a.host),
    ),
  );
  if (rows.some(gone)) {
    print();
    say(
      paint(
        '(gone): the log says the session is alive but its tmux session is not; `flux run` records it, `flux resume <stage>` replaces it.',
        'dim',
      ),
    );
  }
  for (const { host, why } of away)
    say(
      paint(
        `${host} ${UNREACHABLE_MARK}: cannot be reached (${why}); its sessions are shown as the log has them. \`flux doctor\` checks the host.`,
        'red',
      ),
    );
  return ExitCode.ok;
}

/** The table of `flux sessions`; HOST only where hosts are in use (`box1 ✗`: it did not answer). */
export function sessionsTable(
  rows: readonly SessionRow[],
  configured: readonly string[],
  unanswered: readonly string[] = [],
  width?: number,
): string {
  const hosts = showsHosts(
    rows.map((r) => r.host),
    [],
    [...configured, ...unanswered],
  );
  // A session's id names its stage (`<stage>.s<n>`), so the table has no STAGE column (--json has it).
  return table(
    ['SESSION', 'STATUS', 'AGENT', 'TMUX', ...(hosts ? ['HOST'] : []), 'STARTED', 'CONTEXT'],
    rows.map((r) => [
      r.id,
      statusCell(r),
      r.agent,
      r.tmux === '' ? '(by hand)' : r.tmux,
      ...(hosts
        ? [unanswered.includes(r.host) ? paint(`${r.host} ${UNREACHABLE_MARK}`, 'red') : r.host]
        : []),
      age(r.startedAt),
      r.context === null ? '-' : `${Math.round(r.context)}%`,
    ]),
    // The tmux name is flux-<stage> unless tmux.session_prefix says otherwise: it goes first.
    { shrink: [[3], [2], [0]], ...(width === undefined ? {} : { width }) },
  );
}

export async function kill(target: string): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const { stage, session } = resolveTarget(state, target);
  if (session === null) throw new RefusedError(`stage '${stage.id}' has no session (it is ${stage.status})`);
  const current = stage.session === session.id;
  // On its host's server for a session there; a host that does not answer leaves it to the log.
  const alive =
    session.tmux !== '' &&
    (await runtime
      .tmuxOn(session.host)
      .hasSession(session.tmux)
      .catch(() => false));
  if (!sessionAlive(session) && !(current && alive)) {
    throw new RefusedError(
      `session ${session.id} of ${stage.id} has already ${session.status === 'crashed' ? 'crashed' : 'ended'}${session.endReason === null ? '' : ` (${session.endReason})`}`,
      '`flux sessions` lists the live sessions',
    );
  }
  await runtime.endSession(stage.id, session.id);
  const worktree = (await shownWorktree(runtime.engine, runtime.engine.load(), stage.id)).shown;
  const on = session.host === undefined || session.host === null ? '' : ` on ${session.host}`;
  print(
    session.tmux === ''
      ? `Ended session ${session.id} of ${stage.id} in the log. It was started by hand: stop its agent yourself.`
      : `Ended session ${session.id} of ${stage.id} and closed its tmux session ${session.tmux}${on}.`,
  );
  print(
    `The worktree ${worktree} and the branch ${runtime.branchName(stage.id)} are untouched; \`flux resume ${stage.id}\` continues the stage in a fresh session.`,
  );
  if (runtime.engine.load().stages[stage.id]?.status === 'running')
    print(
      paint(
        `It stays stopped: \`flux resume ${stage.id}\` continues it (a watching \`flux run\` restarts only crashed sessions).`,
        'dim',
      ),
    );
  return ExitCode.ok;
}
