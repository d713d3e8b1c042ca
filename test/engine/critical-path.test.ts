/**
 * Which ready stage starts first when slots are short: the one with the
 * longest remaining chain (its `estimate`, default 1, plus the longest
 * chain of what depends on it), ties in plan order; stages in progress
 * before fresh ones. Specifications, then properties on random plans.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settle, withEvents } from '../../src/engine/decide.js';
import { decideStarts, remainingChains, startOrder, type StartOptions } from '../../src/engine/scheduler.js';
import { liveSessions, type FluxState } from '../../src/engine/state.js';
import type { NewEvent } from '../../src/log/events.js';
import type { StageDef } from '../../src/plan/types.js';
import { fold, plan, stageDef } from './spec.js';

const OPTIONS: StartOptions = { maxParallel: 1, agent: 'sim', sessionPrefix: 'flux-' };

/** The state after `flux init` of these stages, with every stage whose dependencies are merged ready. */
function initialized(stages: StageDef[]): FluxState {
  const state = fold([{ type: 'plan.initialized', plan: plan(stages), base_branch: 'main' }]);
  return withEvents(state, settle(state, []).events);
}

function startedStages(events: readonly NewEvent[]): string[] {
  return events.filter((e) => e.type === 'stage.started').map((e) => (e as { stage: string }).stage);
}

describe('remainingChains', () => {
  it('is the weight plus the longest chain of dependents, through every path', () => {
    const state = initialized([
      stageDef('a'),
      stageDef('b', ['a'], { estimate: 5 }),
      stageDef('c', ['a']),
      stageDef('d', ['c']),
      stageDef('e', ['b', 'd'], { estimate: 2 }),
    ]);
    expect(Object.fromEntries(remainingChains(state))).toEqual({ a: 8, b: 7, c: 4, d: 3, e: 2 });
  });
});

describe('decideStarts with fewer slots than ready stages', () => {
  it('starts the stage with the longest chain of dependents, not the first in the plan', () => {
    const state = initialized([stageDef('a'), stageDef('b'), stageDef('c', ['b']), stageDef('d', ['c'])]);
    expect(startedStages(decideStarts(state, OPTIONS).events)).toEqual(['b']);
    expect(startedStages(decideStarts(state, { ...OPTIONS, maxParallel: 2 }).events)).toEqual(['b', 'a']);
  });

  it('weighs the chain by `estimate` in minutes (default 1)', () => {
    const state = initialized([
      stageDef('short-chain'),
      stageDef('next', ['short-chain']),
      stageDef('long-alone', [], { estimate: 30 }),
    ]);
    expect(startedStages(decideStarts(state, OPTIONS).events)).toEqual(['long-alone']);
  });

  it('breaks ties by plan order', () => {
    const state = initialized([stageDef('x'), stageDef('y'), stageDef('z')]);
    expect(startedStages(decideStarts(state, { ...OPTIONS, maxParallel: 2 }).events)).toEqual(['x', 'y']);
  });

  it('gives a stage in progress its session before a fresh one with a longer chain', () => {
    const base = initialized([stageDef('a'), stageDef('b'), stageDef('c', ['b'])]);
    const state = withEvents(base, [
      { type: 'stage.started', stage: 'a', session: 'a.s1' },
      { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'sim', tmux: 'flux-a' },
      { type: 'stage.handoff_requested', stage: 'a', session: 'a.s1', handoff: 'handoffs/a.md' },
      { type: 'session.ended', session: 'a.s1', reason: 'handed off' },
    ]);
    expect(startOrder(state).map((c) => [c.stage.id, c.why])).toEqual([
      ['a', 'handoff'],
      ['b', 'ready'],
    ]);
    expect(startedStages(decideStarts(state, OPTIONS).events)).toEqual(['a']);
  });
});

// ---- properties on random plans ------------------------------------------------

/** A random acyclic plan: each stage may depend on stages before it, with an estimate or none. */
const plans = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          deps: fc.subarray(Array.from({ length: i }, (_, j) => j)),
          estimate: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        }),
      ),
    ),
  )
  .map((specs) =>
    specs.map((spec, i) =>
      stageDef(
        `s${i}`,
        spec.deps.map((j) => `s${j}`),
        { gate: 'auto', ...(spec.estimate === undefined ? {} : { estimate: spec.estimate }) },
      ),
    ),
  );

/** The events that finish a running stage: done, verified (gate auto, by settle), merged, its session over. */
function finish(state: FluxState, id: string): FluxState {
  const session = state.stages[id]!.session!;
  const verified = withEvents(
    state,
    settle(state, [{ type: 'stage.completed', stage: id, forced: false }]).events,
  );
  const merged = settle(verified, [
    { type: 'stage.merged', stage: id, commit: null },
    { type: 'session.ended', session, reason: 'merged' },
  ]);
  return withEvents(verified, merged.events);
}

describe('properties', () => {
  it('never more than max_parallel alive; chosen stages have the longest chains; every stage starts and merges', () => {
    fc.assert(
      fc.property(
        plans,
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        (stages, max, picks) => {
          let state = initialized(stages);
          const options = { ...OPTIONS, maxParallel: max };
          const pick = picks[Symbol.iterator]();
          for (let round = 0; round <= stages.length * 2; round++) {
            const chains = remainingChains(state);
            const ready = state.order.filter((id) => state.stages[id]!.status === 'ready');
            const chosen = startedStages(decideStarts(state, options).events);
            const free = max - liveSessions(state).length;
            expect(chosen).toHaveLength(Math.min(free, ready.length));
            const left = ready.filter((id) => !chosen.includes(id));
            for (const id of chosen)
              for (const other of left) expect(chains.get(id)!).toBeGreaterThanOrEqual(chains.get(other)!);
            state = withEvents(state, decideStarts(state, options).events);
            expect(liveSessions(state).length).toBeLessThanOrEqual(max);
            const running = state.order.filter((id) => state.stages[id]!.status === 'running');
            if (running.length === 0) break;
            state = finish(state, running[pick.next().value % running.length]!);
          }
          expect(state.order.filter((id) => state.stages[id]!.status !== 'merged')).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
