/**
 * The stage machine against a small transition-table model written from the
 * design (docs/statecharts/stage.md), independently of the machine: random
 * event sequences must be accepted or refused alike and end in the same state,
 * both through XState's `transition()` and through the compiled lookup table.
 */
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { TransitionError } from '../../src/errors.js';
import type { StageEvent } from '../../src/log/events.js';
import {
  nextStageStatus,
  stageMachine,
  stepStage,
  type EffectRequest,
  type EffectType,
  type StageContext,
  type StageStatus,
} from '../../src/machines/index.js';

type Kind = StageEvent['type'];
const UNFINISHED_FORCED: Partial<Record<Kind, StageStatus>> = {
  'stage.blocked': 'blocked',
  'stage.reset': 'pending',
};

/** The lifecycle as the design states it. */
const model: Record<StageStatus, Partial<Record<Kind, StageStatus>>> = {
  pending: { 'stage.ready': 'ready', 'stage.blocked': 'blocked' },
  ready: { 'stage.started': 'running', 'stage.completed': 'completed', ...UNFINISHED_FORCED },
  running: {
    'stage.started': 'running',
    'stage.handoff_requested': 'needs_handoff',
    'stage.acceptance_failed': 'running',
    'stage.completed': 'completed',
    'stage.failed': 'failed',
    ...UNFINISHED_FORCED,
  },
  needs_handoff: {
    'stage.started': 'running',
    'stage.completed': 'completed',
    'stage.failed': 'failed',
    ...UNFINISHED_FORCED,
  },
  completed: {
    'stage.verified': 'verified',
    'stage.rejected': 'rejected',
    // A resolver session for a predicted conflict.
    'stage.started': 'running',
    ...UNFINISHED_FORCED,
  },
  verified: {
    'stage.merged': 'merged',
    'stage.merge_failed': 'verified',
    // Sent back to its agent by the merge queue.
    'stage.started': 'running',
    'stage.rejected': 'rejected',
    ...UNFINISHED_FORCED,
  },
  merged: {},
  failed: { 'stage.started': 'running', 'stage.completed': 'completed', ...UNFINISHED_FORCED },
  blocked: { 'stage.started': 'running', 'stage.completed': 'completed', 'stage.reset': 'pending' },
  rejected: { 'stage.started': 'running', 'stage.completed': 'completed', ...UNFINISHED_FORCED },
};

const base = { v: 1 as const, seq: 1, at: '2026-01-01T00:00:00.000Z', stage: 's' as string };
const eventArb = fc.oneof<fc.Arbitrary<StageEvent>[]>(
  fc.constant({ ...base, type: 'stage.ready' as const }),
  fc
    .integer({ min: 1, max: 9 })
    .map((n) => ({ ...base, type: 'stage.started' as const, session: `s.s${n}` })),
  fc.constant({ ...base, type: 'stage.handoff_requested' as const, handoff: 'handoffs/s-handoff-001.md' }),
  fc.constant({ ...base, type: 'stage.acceptance_failed' as const, results: [] }),
  fc.boolean().map((forced) => ({ ...base, type: 'stage.completed' as const, forced })),
  fc
    .constantFrom('human' as const, 'auto' as const)
    .map((by) => ({ ...base, type: 'stage.verified' as const, by })),
  fc.constant({ ...base, type: 'stage.rejected' as const, reason: 'no' }),
  fc.constant({ ...base, type: 'stage.merged' as const, commit: 'abc' }),
  fc.constant({ ...base, type: 'stage.merge_failed' as const, reason: 'conflict', conflicts: ['a.ts'] }),
  fc.constant({ ...base, type: 'stage.failed' as const, reason: 'gave up' }),
  fc.constant({ ...base, type: 'stage.blocked' as const, reason: 'wait' }),
  fc.constant({ ...base, type: 'stage.reset' as const }),
);

describe('stage machine', () => {
  it('agrees with the lifecycle model on random event sequences (transition() and the table)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        let status: StageStatus = 'pending';
        let context: StageContext = { id: 's', gate: 'human', session: null };
        for (const event of events) {
          const expected = model[status][event.type];
          expect(nextStageStatus(status, event.type)).toBe(expected);
          if (expected === undefined) {
            expect(() => stepStage(status, context, event)).toThrow(TransitionError);
            continue;
          }
          const step = stepStage(status, context, event);
          expect(step.status).toBe(expected);
          if (event.type === 'stage.started') expect(step.context.session).toBe(event.session);
          status = step.status;
          context = step.context;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('asks for a session when a stage starts, and for merge, cleanup and dependents when verified and merged', () => {
    const context = { id: 's', gate: 'human' as const, session: null };
    const started = stepStage('ready', context, { ...base, type: 'stage.started', session: 's.s1' });
    expect(started.effects).toEqual([{ type: 'launchSession', params: { stage: 's', session: 's.s1' } }]);

    const verified = stepStage(
      'completed',
      { ...context, session: 's.s1' },
      { ...base, type: 'stage.verified', by: 'human' },
    );
    expect(verified.effects.map((e) => e.type)).toEqual(['mergeStage']);

    const merged = stepStage(
      'verified',
      { ...context, session: 's.s1' },
      { ...base, type: 'stage.merged', commit: 'abc' },
    );
    expect(merged.effects.map((e) => e.type)).toEqual(['endSession', 'cleanupStage']);

    const rejected = stepStage(
      'completed',
      { ...context, session: 's.s1' },
      { ...base, type: 'stage.rejected', reason: 'no tests' },
    );
    expect(rejected.effects).toEqual([{ type: 'endSession', params: { stage: 's', session: 's.s1' } }]);
  });

  it('declares each effect request once: EffectRequest is read off the actions it is set up with', () => {
    const requests = ['launchSession', 'endSession', 'requestVerification', 'mergeStage', 'cleanupStage'];
    expect(Object.keys(stageMachine.implementations.actions).sort()).toEqual([...requests].sort());
    expectTypeOf<EffectType>().toEqualTypeOf<
      'launchSession' | 'endSession' | 'requestVerification' | 'mergeStage' | 'cleanupStage'
    >();
    expectTypeOf<Extract<EffectRequest, { type: 'launchSession' }>['params']>().toEqualTypeOf<{
      stage: string;
      session: string | null;
    }>();
    expectTypeOf<Extract<EffectRequest, { type: 'mergeStage' }>['params']>().toEqualTypeOf<{
      stage: string;
    }>();
  });

  it('ends the old session before launching a new one on resume', () => {
    const step = stepStage(
      'running',
      { id: 's', gate: 'human', session: 's.s1' },
      { ...base, type: 'stage.started', session: 's.s2' },
    );
    expect(step.effects).toEqual([
      { type: 'endSession', params: { stage: 's', session: 's.s1' } },
      { type: 'launchSession', params: { stage: 's', session: 's.s2' } },
    ]);
  });

  it('refuses with an error that names the state and what it accepts', () => {
    const refuse = () =>
      stepStage(
        'pending',
        { id: 'api', gate: 'human', session: null },
        { ...base, stage: 'api', type: 'stage.merged', commit: null },
      );
    expect(refuse).toThrow(TransitionError);
    expect(refuse).toThrow(
      "stage 'api' is pending; it does not accept stage.merged there (it accepts: stage.blocked, stage.ready)",
    );
  });
});
