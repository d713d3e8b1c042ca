/**
 * What tmux says about an ad hoc task's sessions, and closing what they ran
 * in. A task's session runs in a pane next to the person's or in a detached
 * session; pane ids start again at %0 when the tmux server restarts, so a
 * pane is a session's only while its label (the session id Flux gave it)
 * matches. Callers pass the sessions as the log has them
 * (`src/engine/runtime/tasks.ts` does that for a task of the state).
 */
import { isPaneId, type Tmux, type TmuxPaneInfo, type TmuxSessionInfo } from './tmux.js';

export interface TmuxView {
  sessions: TmuxSessionInfo[];
  panes: TmuxPaneInfo[];
}

/** A session as the log records it: its id and where it runs (a pane id or a session name; '' for none). */
export interface TmuxPlacement {
  id: string;
  tmux: string;
}

/** One look at the tmux server (nothing when it is not running). */
export async function lookAtTmux(tmux: Tmux): Promise<TmuxView> {
  const [sessions, panes] = await Promise.all([
    tmux.listSessions().catch(() => []),
    tmux.listPanes().catch(() => []),
  ]);
  return { sessions, panes };
}

/** The pane `target`, when it is still `session`'s (its label matches). */
export function taskPane(view: TmuxView, target: string, session: string): TmuxPaneInfo | undefined {
  return view.panes.find((pane) => pane.id === target && pane.label === session);
}

/** Whether a session runs in tmux: its pane, or its tmux session with a live pane. */
export function taskRunning(view: TmuxView, session: TmuxPlacement | null): boolean {
  if (session === null || session.tmux === '') return false;
  if (isPaneId(session.tmux)) {
    const pane = taskPane(view, session.tmux, session.id);
    return pane !== undefined && !pane.dead;
  }
  const tmux = view.sessions.find((s) => s.name === session.tmux);
  return tmux !== undefined && !tmux.paneDead;
}

/** Where a session's agent can be seen: its pane (if still its own) or its tmux session; null when neither exists. */
export function taskTarget(view: TmuxView, session: TmuxPlacement | null): string | null {
  if (session === null || session.tmux === '') return null;
  if (isPaneId(session.tmux))
    return taskPane(view, session.tmux, session.id) === undefined ? null : session.tmux;
  return view.sessions.some((s) => s.name === session.tmux) ? session.tmux : null;
}

/**
 * Ends every pane and tmux session of `sessions` (a pane only while it is
 * still that session's; a later entry for the same target wins). Returns
 * what was closed, for the report.
 */
export async function closeTaskTmux(tmux: Tmux, sessions: readonly TmuxPlacement[]): Promise<string[]> {
  const view = await lookAtTmux(tmux);
  const closed: string[] = [];
  const targets = new Map<string, string>();
  for (const session of sessions) if (session.tmux !== '') targets.set(session.tmux, session.id);
  for (const [target, session] of targets) {
    if (isPaneId(target)) {
      if (taskPane(view, target, session) === undefined) continue;
      if (await tmux.killPane(target)) closed.push(`tmux pane ${target}`);
    } else if (view.sessions.some((s) => s.name === target)) {
      if (await tmux.killSession(target).catch(() => false)) closed.push(`tmux session ${target}`);
    }
  }
  return closed;
}
