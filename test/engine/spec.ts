/**
 * Given-events / when / then-events specifications for the engine's decisions:
 * the state is folded from the given events, the decision is asked for, and
 * the new events (without envelope) are compared.
 */
import { expect } from 'vitest';
import type { Decision } from '../../src/engine/decide.js';
import { evolve } from '../../src/engine/evolve.js';
import { initialState, type FluxState } from '../../src/engine/state.js';
import type { FluxEvent, NewEvent } from '../../src/log/events.js';
import type { Plan, StageDef } from '../../src/plan/types.js';

export function stageDef(id: string, dependencies: string[] = [], extra: Partial<StageDef> = {}): StageDef {
  return { id, name: id, description: '', dependencies, acceptance: [], files: [], gate: 'human', ...extra };
}

export function plan(stages: StageDef[], path = 'doc/plans/PLAN.md'): Plan {
  return { path, title: 'Test plan', version: 1, stages, hash: stages.map((s) => s.id).join(',') };
}

export function stamp(events: NewEvent[], firstSeq = 1): FluxEvent[] {
  return events.map(
    (event, i) => ({ ...event, v: 1, seq: firstSeq + i, at: '2026-01-01T00:00:00.000Z' }) as FluxEvent,
  );
}

export function fold(events: NewEvent[]): FluxState {
  return stamp(events).reduce(evolve, initialState());
}

export function given(events: NewEvent[]) {
  const state = fold(events);
  return {
    state,
    when(decide: (state: FluxState) => Decision) {
      let decision: Decision | undefined;
      let error: unknown;
      try {
        decision = decide(state);
      } catch (caught) {
        error = caught;
      }
      return {
        then(expected: NewEvent[], effects?: string[]) {
          if (error !== undefined) throw error;
          expect(decision!.events).toEqual(expected);
          if (effects !== undefined) expect(decision!.effects.map((e) => e.type)).toEqual(effects);
          return decision!;
        },
        thenRefused(message: string | RegExp) {
          expect(error, 'the decision should have been refused').toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(message);
        },
      };
    },
  };
}
