/**
 * Is this process a person's, or does it run inside one of Flux's agent
 * sessions? Answered from process ancestry, which an agent cannot rewrite
 * for processes already running:
 *
 * - the pane check: an ancestor is the pane process (`#{pane_pid}`) of a
 *   live session's tmux session, or of a live task's pane (matched by pane
 *   id and the `@flux-label` Flux gave it, since pane ids restart with the
 *   server); one `tmux list-panes -a` per server asked, and none when no
 *   session is live in the log;
 * - the environment check: an ancestor was started with
 *   `FLUX_SESSION=<a session of the log>` (its /proc/<pid>/environ: what it
 *   started with, whatever it or its children did to their environment
 *   since). Any session, live or not: the log records a session ended when
 *   its agent stops, a moment before Flux closes its tmux session.
 *
 * This process's own FLUX_SESSION is an extra signal, never needed: the
 * pane check reads no environment at all. docs/security.md says what this
 * does and does not stop.
 */
import { ENV } from '../agents/protocol.js';
import { ancestry, readEnviron, readStat } from './process-tree.js';
import { isPaneId, type Tmux, type TmuxPaneInfo } from './tmux.js';

/** A session of the log, and where it runs ('' when started by hand: `flux run --manual`). */
export interface LiveSession {
  id: string;
  tmux: string;
}

export interface KnownSession extends LiveSession {
  /** Not ended or crashed, as the log says. */
  live: boolean;
}

export type Caller =
  | { kind: 'person' }
  | { kind: 'agent'; session: string; evidence: string }
  /** Neither /proc nor `ps` said who this process's parents are. */
  | { kind: 'unknown'; why: string };

/** Whether one of `ancestors` (this process and its parents) is an agent session's pane process. */
export function isInsideAgent(ancestors: readonly number[], panePids: ReadonlySet<number>): boolean {
  return ancestors.some((pid) => panePids.has(pid));
}

/** The pane processes of live sessions, by pid, with the session each belongs to. */
export function sessionPanes(
  panes: readonly TmuxPaneInfo[],
  live: readonly LiveSession[],
): Map<number, string> {
  const bySessionName = new Map<string, string>();
  const byPaneId = new Map<string, string>();
  for (const session of live) {
    if (session.tmux === '') continue;
    (isPaneId(session.tmux) ? byPaneId : bySessionName).set(session.tmux, session.id);
  }
  const pids = new Map<number, string>();
  for (const pane of panes) {
    // A dead pane's pid is of a process that exited: it may belong to someone else by now.
    if (pane.pid === null || pane.dead) continue;
    const inSession = bySessionName.get(pane.session);
    const inPane = byPaneId.get(pane.id);
    if (inSession !== undefined) pids.set(pane.pid, inSession);
    else if (inPane !== undefined && inPane === pane.label) pids.set(pane.pid, inPane);
  }
  return pids;
}

/** The live session an environment names in FLUX_SESSION, if any. */
export function sessionInEnvironment(environ: readonly string[], live: ReadonlySet<string>): string | null {
  const prefix = `${ENV.session}=`;
  for (const entry of environ) {
    if (entry.startsWith(prefix) && live.has(entry.slice(prefix.length))) return entry.slice(prefix.length);
  }
  return null;
}

export interface CallerQuery {
  /** Every session of the log. */
  sessions: readonly KnownSession[];
  /** The tmux servers Flux's sessions run on. */
  servers: readonly Tmux[];
  /** Default: this process. */
  pid?: number;
  env?: NodeJS.ProcessEnv;
}

/** `it descends from process 812 (sh)`, or `it is …` for the process itself. */
function lineage(self: number, pid: number): string {
  const comm = readStat(pid)?.comm;
  return `${pid === self ? 'it is' : 'it descends from'} ${comm === undefined ? `process ${pid}` : `process ${pid} (${comm})`}`;
}

/**
 * Who runs this process. Cheap: nothing is read for a log without sessions,
 * and tmux is asked only while a session is live.
 */
export async function identifyCaller(query: CallerQuery): Promise<Caller> {
  if (query.sessions.length === 0) return { kind: 'person' };
  const ids = new Set(query.sessions.map((session) => session.id));
  const pid = query.pid ?? process.pid;

  // An extra signal, never the only one: an agent can unset its own variables.
  const own = (query.env ?? process.env)[ENV.session];
  if (own !== undefined && ids.has(own))
    return { kind: 'agent', session: own, evidence: `its environment has ${ENV.session}=${own}` };

  const chain = await ancestry(pid);
  if (chain === null)
    return { kind: 'unknown', why: 'neither /proc nor `ps` tells which processes it descends from' };

  const inTmux = query.sessions.filter((session) => session.live && session.tmux !== '');
  if (inTmux.length > 0) {
    for (const server of query.servers) {
      // A server that cannot be asked has no pane of ours that we could see.
      const panes = sessionPanes(await server.listPanes().catch(() => []), inTmux);
      if (!isInsideAgent(chain, new Set(panes.keys()))) continue;
      const pane = chain.find((ancestor) => panes.has(ancestor))!;
      const session = panes.get(pane)!;
      const where = inTmux.find((s) => s.id === session)!.tmux;
      return {
        kind: 'agent',
        session,
        evidence: `${lineage(pid, pane)}, the process of ${isPaneId(where) ? `tmux pane ${where}` : `tmux session ${where}`}`,
      };
    }
  }

  for (const ancestor of chain) {
    const environ = readEnviron(ancestor);
    const session = environ === null ? null : sessionInEnvironment(environ, ids);
    if (session !== null)
      return {
        kind: 'agent',
        session,
        evidence: `${lineage(pid, ancestor)}, which was started with ${ENV.session}=${session}`,
      };
  }
  return { kind: 'person' };
}
