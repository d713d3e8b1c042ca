/** Finding a stage or session a person named, with a helpful error when there is none. */
import { UsageError } from '../errors.js';
import { closest } from '../plan/suggest.js';
import { currentSession, type FluxState, type SessionState, type StageState } from './state.js';

export function requireStage(state: FluxState, id: string): StageState {
  const stage = state.stages[id];
  if (stage !== undefined) return stage;
  const guess = closest(id, state.order);
  throw new UsageError(
    `no stage '${id}' in the plan`,
    guess === undefined ? `stages: ${state.order.join(', ') || '(none)'}` : `did you mean '${guess}'?`,
  );
}

/** A stage id, a session id or a tmux session name → the stage and its current session. */
export function resolveTarget(
  state: FluxState,
  name: string,
): { stage: StageState; session: SessionState | null } {
  const stage = state.stages[name];
  if (stage !== undefined) return { stage, session: currentSession(state, stage) };
  const session =
    state.sessions[name] ??
    Object.values(state.sessions)
      .reverse()
      .find((s) => s.tmux === name);
  if (session !== undefined) return { stage: state.stages[session.stage]!, session };
  return { stage: requireStage(state, name), session: null };
}
