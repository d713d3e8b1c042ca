/**
 * Ending a session Flux decided to end: the event first, then its tmux
 * session, unless a newer session of the stage uses it.
 */
import { settle } from '../decide.js';
import type { Runtime } from '../runtime.js';
import { sessionAlive } from '../state.js';

/** Called with the effects lock held. */
export async function endSession(rt: Runtime, stageId: string, sessionId: string): Promise<void> {
  const { state } = rt.engine.commit((current) => {
    if (!sessionAlive(current.sessions[sessionId])) return { events: [], effects: [] };
    return settle(current, [{ type: 'session.ended', session: sessionId, reason: 'ended by Flux' }]);
  });
  const session = state.sessions[sessionId];
  const current = state.stages[stageId]?.session;
  const newer =
    current !== undefined && current !== null && current !== sessionId ? state.sessions[current] : undefined;
  const newerAlive = sessionAlive(newer);
  if (session !== undefined && !newerAlive)
    await rt
      .tmuxOn(session.host)
      .killSession(session.tmux)
      .catch(() => false);
}
