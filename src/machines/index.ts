/**
 * The two lifecycles, their lookup tables, and the one place that asks
 * XState what an event does: `stepStage` / `stepSession` return the next
 * state and the effect requests, or throw a TransitionError that says what
 * the current state accepts.
 */
import { transition } from 'xstate';
import { TransitionError } from '../errors.js';
import type { SessionEvent, StageEvent } from '../log/events.js';
import type { EffectRequest } from './effect-requests.js';
import { sessionMachine, type SessionStatus } from './session.js';
import { stageMachine, type StageContext, type StageStatus } from './stage.js';
import { acceptedEvents, compileTable } from './table.js';

export { sessionMachine, SESSION_STATES, type SessionStatus } from './session.js';
export { stageMachine, STAGE_STATES, type StageStatus, type StageContext } from './stage.js';
export type { EffectRequest, EffectType } from './effect-requests.js';

export const stageTable = compileTable(stageMachine);
export const sessionTable = compileTable(sessionMachine);

/** The next stage state for an event, from the table (used by replay). */
export function nextStageStatus(current: StageStatus, eventType: string): StageStatus | undefined {
  return stageTable[current]?.[eventType] as StageStatus | undefined;
}

export function nextSessionStatus(current: SessionStatus, eventType: string): SessionStatus | undefined {
  return sessionTable[current]?.[eventType] as SessionStatus | undefined;
}

export function stageTransitionError(id: string, state: StageStatus, eventType: string): TransitionError {
  return new TransitionError({
    entity: 'stage',
    id,
    state,
    eventType,
    accepts: acceptedEvents(stageTable, state),
  });
}

export function sessionTransitionError(id: string, state: SessionStatus, eventType: string): TransitionError {
  return new TransitionError({
    entity: 'session',
    id,
    state,
    eventType,
    accepts: acceptedEvents(sessionTable, state),
  });
}

/**
 * Asks the stage machine what `event` does to a stage in `status` with `context`.
 * Returns the next status and the effect requests; throws TransitionError if refused.
 */
export function stepStage(
  status: StageStatus,
  context: StageContext,
  event: StageEvent,
): { status: StageStatus; context: StageContext; effects: EffectRequest[] } {
  // Acceptance comes from the table: XState's `can()` says no to a targetless
  // transition without actions (e.g. stage.acceptance_failed while running).
  if (nextStageStatus(status, event.type) === undefined) throw stageTransitionError(context.id, status, event.type);
  const snapshot = stageMachine.resolveState({ value: status, context });
  const [next, actions] = transition(stageMachine, snapshot, event);
  const effects = actions
    .filter((action) => typeof action.type === 'string' && !action.type.startsWith('xstate.'))
    .map((action) => ({ type: action.type, params: action.params }) as EffectRequest);
  return { status: next.value as StageStatus, context: next.context, effects };
}

export function stepSession(
  status: SessionStatus,
  context: { id: string; stage: string },
  event: SessionEvent,
): SessionStatus {
  if (nextSessionStatus(status, event.type) === undefined) throw sessionTransitionError(context.id, status, event.type);
  const snapshot = sessionMachine.resolveState({ value: status, context });
  const [next] = transition(sessionMachine, snapshot, event);
  return next.value as SessionStatus;
}
