/** A small state and folds over it, to exercise the store without the engine. */
import { TransitionError } from '../../src/errors.js';
import type { FluxEvent } from '../../src/log/events.js';

export interface Counter {
  count: number;
  /** Sessions seen working, in order. */
  working: string[];
  blocked: Record<string, string>;
}

export function initialCounter(): Counter {
  return { count: 0, working: [], blocked: {} };
}

/** A pure fold: returns a new state. */
export function foldCounter(state: Counter, event: FluxEvent): Counter {
  const next = { count: state.count + 1, working: state.working, blocked: state.blocked };
  if (event.type === 'session.working') next.working = [...state.working, event.session];
  if (event.type === 'stage.blocked') next.blocked = { ...state.blocked, [event.stage]: event.reason };
  return next;
}

/**
 * A fold that updates the state in place, as the engine's does, and refuses
 * a `session.crashed` for a session it has not seen working.
 */
export function foldCounterInPlace(state: Counter, event: FluxEvent): Counter {
  state.count += 1;
  if (event.type === 'session.working') state.working.push(event.session);
  if (event.type === 'stage.blocked') state.blocked[event.stage] = event.reason;
  if (event.type === 'session.crashed' && !state.working.includes(event.session)) {
    throw new TransitionError({
      entity: 'session',
      id: event.session,
      state: 'unknown',
      eventType: event.type,
      accepts: [],
    });
  }
  return state;
}

export function isCounter(raw: unknown): Counter | undefined {
  const value = raw as Partial<Counter> | null;
  if (typeof value !== 'object' || value === null) return undefined;
  if (typeof value.count !== 'number' || !Array.isArray(value.working)) return undefined;
  if (typeof value.blocked !== 'object' || value.blocked === null) return undefined;
  return value as Counter;
}
