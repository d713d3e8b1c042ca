/** What is alive on Flux's tmux servers (this machine's and the hosts'), for `flux attach` and `flux sessions`. */
import type { Runtime } from '../engine/runtime.js';
import { hostSessionNames } from '../engine/runtime/host-views.js';
import type { SessionState } from '../engine/state.js';

/**
 * Names of the tmux sessions that exist on Flux's server (none when it is not
 * running), and the ids of its live panes (an ad hoc task's target, `%7`).
 */
export async function tmuxNames(runtime: Runtime): Promise<Set<string>> {
  const sessions = await runtime.tmux.listSessions().catch(() => []);
  const panes = await runtime.tmux.listPanes().catch(() => []);
  return new Set([...sessions.map((s) => s.name), ...panes.filter((p) => !p.dead).map((p) => p.id)]);
}

/** The tmux sessions seen here and on each host the sessions run on. */
export interface TmuxSeen {
  local: Set<string>;
  /** A host's session names, or why it could not be asked. */
  hosts: Map<string, Set<string> | { unreachable: string }>;
}

/**
 * Asks this machine's server, and the server of every host the given
 * sessions ran on (one round trip each, side by side, over the host's
 * shared connection). A host that cannot be reached, that the config no
 * longer names, or whose tmux fails, is said so instead of failing the listing.
 */
export async function tmuxSeen(
  runtime: Runtime,
  sessions: readonly Pick<SessionState, 'host' | 'tmux'>[],
): Promise<TmuxSeen> {
  const names = [
    ...new Set(
      sessions
        .filter((s) => s.tmux !== '')
        .map((s) => s.host)
        .filter((h): h is string => typeof h === 'string'),
    ),
  ];
  const [local, ...remote] = await Promise.all([
    tmuxNames(runtime),
    ...names.map((host) => hostSessionNames(runtime, host)),
  ]);
  return { local: local!, hosts: new Map(names.map((host, index) => [host, remote[index]!])) };
}

/** Whether a session's tmux session exists where it runs; null when its host could not be asked. */
export function tmuxAlive(seen: TmuxSeen, session: Pick<SessionState, 'host' | 'tmux'>): boolean | null {
  if (session.host === undefined || session.host === null) return seen.local.has(session.tmux);
  const there = seen.hosts.get(session.host);
  return there === undefined || !(there instanceof Set) ? null : there.has(session.tmux);
}

/** The hosts that could not be asked, and why. */
export function unanswered(seen: TmuxSeen): { host: string; why: string }[] {
  return [...seen.hosts].flatMap(([host, there]) =>
    there instanceof Set ? [] : [{ host, why: there.unreachable }],
  );
}
