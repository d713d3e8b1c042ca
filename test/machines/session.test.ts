import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TransitionError } from '../../src/errors.js';
import type { SessionEvent } from '../../src/log/events.js';
import { sessionAlive } from '../../src/engine/state.js';
import {
  nextSessionStatus,
  sessionMachine,
  SESSION_STATES,
  stepSession,
  type SessionStatus,
} from '../../src/machines/index.js';
import { FINAL_SESSION_STATES } from '../../src/machines/session-states.js';

const ALIVE: SessionStatus[] = ['starting', 'working', 'idle', 'waiting_permission'];
const ACTIVITY: Record<string, SessionStatus> = {
  'session.working': 'working',
  'session.idle': 'idle',
  'session.waiting_permission': 'waiting_permission',
};

/** The session lifecycle as designed: activity moves a live session; handing off holds until it ends. */
function modelNext(status: SessionStatus, type: SessionEvent['type']): SessionStatus | undefined {
  if (type === 'session.started') return undefined;
  if (status === 'ended' || status === 'crashed') return undefined;
  if (type === 'session.ended') return 'ended';
  if (type === 'session.crashed') return 'crashed';
  if (type === 'session.context') return status;
  if (status === 'handing_off') return 'handing_off';
  if (type === 'session.handing_off') return 'handing_off';
  return ALIVE.includes(status) ? ACTIVITY[type] : undefined;
}

const base = { v: 1 as const, seq: 1, at: '2026-01-01T00:00:00.000Z', session: 'a.s1' };
const eventArb = fc.oneof<fc.Arbitrary<SessionEvent>[]>(
  fc.constant({ ...base, type: 'session.working' as const }),
  fc.constant({ ...base, type: 'session.idle' as const }),
  fc.constant({ ...base, type: 'session.waiting_permission' as const, tool: 'Bash', detail: 'rm -rf x' }),
  fc.integer({ min: 0, max: 100 }).map((percent) => ({ ...base, type: 'session.context' as const, percent })),
  fc
    .constantFrom('threshold' as const, 'precompact' as const)
    .map((trigger) => ({ ...base, type: 'session.handing_off' as const, trigger })),
  fc.constant({ ...base, type: 'session.ended' as const, reason: 'done' }),
  fc.constant({ ...base, type: 'session.crashed' as const, reason: 'gone' }),
  fc.constant({ ...base, type: 'session.started' as const, stage: 'a', agent: 'sim', tmux: 'flux-a' }),
);

describe('session machine', () => {
  it('agrees with the lifecycle model on random event sequences', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        let status: SessionStatus = 'starting';
        for (const event of events) {
          const expected = modelNext(status, event.type);
          expect(nextSessionStatus(status, event.type)).toBe(expected);
          if (expected === undefined) {
            expect(() => stepSession(status, { id: 'a.s1', stage: 'a' }, event)).toThrow(TransitionError);
          } else {
            status = stepSession(status, { id: 'a.s1', stage: 'a' }, event);
            expect(status).toBe(expected);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("is over exactly in the machine's final states, which is what alive means everywhere", () => {
    const finals = Object.entries(sessionMachine.states)
      .filter(([, node]) => node.type === 'final')
      .map(([name]) => name);
    expect([...FINAL_SESSION_STATES].sort()).toEqual(finals.sort());
    for (const status of SESSION_STATES) expect(sessionAlive({ status })).toBe(!finals.includes(status));
    expect(sessionAlive(null)).toBe(false);
    expect(sessionAlive(undefined)).toBe(false);
  });
});
