/**
 * The two lifecycles, their lookup tables, and the one place that asks
 * XState what an event does: `stepStage` / `stepSession` return the next
 * state and the effect requests, or throw a TransitionError that says what
 * the current state accepts.
 */
import { transition } from 'xstate';
import type { SessionEvent, StageEvent } from '../log/events.js';
import type { EffectRequest } from './effect-requests.js';
import { sessionMachine, type SessionStatus } from './session.js';
import { stageMachine, type StageContext, type StageStatus } from './stage.js';
import { compileTable } from './table.js';
import {
  nextSessionStatus,
  nextStageStatus,
  sessionTransitionError,
  stageTransitionError,
} from './lifecycle.js';

export { sessionMachine, SESSION_STATES, type SessionStatus } from './session.js';
export { stageMachine, STAGE_STATES, type StageStatus, type StageContext } from './stage.js';
export type { EffectRequest, EffectType } from './effect-requests.js';

export const stageTable = compileTable(stageMachine);
export const sessionTable = compileTable(sessionMachine);

export {
  nextSessionStatus,
  nextStageStatus,
  sessionTransitionError,
  stageTransitionError,
} from './lifecycle.js';

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
  if (nextStageStatus(status, event.type) === undefined)
    throw stageTransitionError(context.id, status, event.type);
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
  if (nextSessionStatus(status, event.type) === undefined)
    throw sessionTransitionError(context.id, status, event.type);
  const snapshot = sessionMachine.resolveState({ value: status, context });
  const [next] = transition(sessionMachine, snapshot, event);
  return next.value as SessionStatus;
}
