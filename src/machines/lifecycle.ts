/**
 * The stage and session lifecycles as lookup tables, for replay and the hook
 * path: no XState at run time (it costs ~14 ms to load and ~15 µs an event).
 * The tables are generated from the machines, and a test keeps them equal.
 */
import type { SessionStatus } from './session-states.js';
import type { StageStatus } from './stage-states.js';
import { transitionError } from './table.js';
import { SESSION_TABLE, STAGE_TABLE } from './tables.generated.js';

export { STAGE_TABLE, SESSION_TABLE };

export function nextStageStatus(current: StageStatus, eventType: string): StageStatus | undefined {
  return STAGE_TABLE[current]?.[eventType] as StageStatus | undefined;
}

export function nextSessionStatus(current: SessionStatus, eventType: string): SessionStatus | undefined {
  return SESSION_TABLE[current]?.[eventType] as SessionStatus | undefined;
}

export const stageTransitionError = (id: string, state: StageStatus, eventType: string) =>
  transitionError('stage', STAGE_TABLE, id, state, eventType);

export const sessionTransitionError = (id: string, state: SessionStatus, eventType: string) =>
  transitionError('session', SESSION_TABLE, id, state, eventType);
