/**
 * A machine compiled into a plain lookup table: state → event type → next state.
 *
 * Replaying a long log through XState's `transition()` costs ~15 µs an event;
 * a table lookup costs nanoseconds. The table is derived from the machine
 * itself (never written by hand), and a property test checks that it agrees
 * with `transition()` on random event sequences. It is only valid for
 * machines without guards, which is how the stage and session machines are built.
 */
import type { AnyStateMachine } from 'xstate';
import { TransitionError } from '../errors.js';

export type TransitionTable = Readonly<Record<string, Readonly<Record<string, string>>>>;

export function compileTable(machine: AnyStateMachine): TransitionTable {
  const table: Record<string, Record<string, string>> = {};
  for (const [stateName, node] of Object.entries(machine.states)) {
    const row: Record<string, string> = {};
    for (const [eventType, transitions] of node.transitions) {
      const [first] = transitions;
      if (first === undefined) continue;
      if (transitions.length > 1 || first.guard !== undefined) {
        throw new Error(`${machine.id}.${stateName} on ${eventType}: guarded transitions cannot be tabled`);
      }
      row[eventType] = first.target?.[0]?.key ?? stateName;
    }
    table[stateName] = row;
  }
  return table;
}

/** The event types a state accepts, sorted (for error messages). */
export function acceptedEvents(table: TransitionTable, state: string): string[] {
  return Object.keys(table[state] ?? {}).sort();
}

export function transitionError(
  entity: 'stage' | 'session',
  table: TransitionTable,
  id: string,
  state: string,
  eventType: string,
): TransitionError {
  return new TransitionError({ entity, id, state, eventType, accepts: acceptedEvents(table, state) });
}
