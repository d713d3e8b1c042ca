import { describe, expect, it } from 'vitest';
import { decideForced, settle } from '../../src/engine/decide.js';
import { TransitionError } from '../../src/errors.js';
import type { NewEvent } from '../../src/log/events.js';
import { given, plan, stageDef } from './spec.js';

const diamond = plan([stageDef('a'), stageDef('b', ['a']), stageDef('c', ['a']), stageDef('d', ['b', 'c'])]);
const initialized: NewEvent[] = [{ type: 'plan.initialized', plan: diamond, base_branch: 'main' }];

/** Events that take stage `id` from ready to merged. */
function toMerged(id: string): NewEvent[] {
  return [
    { type: 'stage.started', stage: id, session: `${id}.s1` },
    { type: 'stage.completed', stage: id, forced: false },
    { type: 'stage.verified', stage: id, by: 'human' },
    { type: 'stage.merged', stage: id, commit: `m-${id}` },
  ];
}

describe('settle', () => {
  it('makes the stages without dependencies ready when a plan is initialised', () => {
    given([])
      .when((s) => settle(s, initialized))
      .then([...initialized, { type: 'stage.ready', stage: 'a' }]);
  });

  it('asks for a session when a ready stage starts', () => {
    given([...initialized, { type: 'stage.ready', stage: 'a' }])
      .when((s) => settle(s, [{ type: 'stage.started', stage: 'a', session: 'a.s1' }]))
      .then([{ type: 'stage.started', stage: 'a', session: 'a.s1' }], ['launchSession']);
  });

  it('makes both dependents ready when their one dependency merges', () => {
    const merged = toMerged('a');
    given([...initialized, { type: 'stage.ready', stage: 'a' }, ...merged.slice(0, 3)])
      .when((s) => settle(s, [merged[3]!]))
      .then(
        [merged[3]!, { type: 'stage.ready', stage: 'b' }, { type: 'stage.ready', stage: 'c' }],
        ['endSession', 'cleanupStage'],
      );
  });

  it('makes the diamond join ready only when its last dependency merges', () => {
    const history = [...initialized, { type: 'stage.ready', stage: 'a' } as NewEvent, ...toMerged('a')];
    const readyBC: NewEvent[] = [
      { type: 'stage.ready', stage: 'b' },
      { type: 'stage.ready', stage: 'c' },
    ];
    const b = toMerged('b');
    given([...history, ...readyBC, ...b.slice(0, 3)])
      .when((s) => settle(s, [b[3]!]))
      .then([b[3]!]);
    const c = toMerged('c');
    given([...history, ...readyBC, ...b, ...c.slice(0, 3)])
      .when((s) => settle(s, [c[3]!]))
      .then([c[3]!, { type: 'stage.ready', stage: 'd' }]);
  });

  it('verifies a gate: auto stage as soon as it completes, and asks for the merge', () => {
    const auto = plan([stageDef('a', [], { gate: 'auto' })]);
    given([
      { type: 'plan.initialized', plan: auto, base_branch: 'main' },
      { type: 'stage.ready', stage: 'a' },
      { type: 'stage.started', stage: 'a', session: 'a.s1' },
    ])
      .when((s) => settle(s, [{ type: 'stage.completed', stage: 'a', forced: false }]))
      .then(
        [
          { type: 'stage.completed', stage: 'a', forced: false },
          { type: 'stage.verified', stage: 'a', by: 'auto' },
        ],
        ['mergeStage'],
      );
  });

  it('refuses an event the machine does not accept, and decides nothing', () => {
    given(initialized)
      .when((s) => settle(s, [{ type: 'stage.merged', stage: 'b', commit: null }]))
      .thenRefused("stage 'b' is pending; it does not accept stage.merged there");
  });

  it('refuses events about unknown stages', () => {
    expect(() =>
      given(initialized)
        .when((s) => settle(s, [{ type: 'stage.ready', stage: 'zzz' }]))
        .then([]),
    ).toThrow(TransitionError);
  });

  it('does not change the state it decides from', () => {
    const { state } = given(initialized);
    const before = structuredClone(state);
    settle(state, [{ type: 'stage.ready', stage: 'a' }]);
    expect(state).toEqual(before);
  });
});

describe('forced transitions', () => {
  const readyA: NewEvent[] = [...initialized, { type: 'stage.ready', stage: 'a' }];

  it('complete: a ready stage is completed by hand and waits for its gate', () => {
    given(readyA)
      .when((s) => decideForced(s, 'a', 'complete', 'human'))
      .then([{ type: 'stage.completed', stage: 'a', forced: true, by: 'human' }]);
  });

  it('block records the reason', () => {
    given(readyA)
      .when((s) => decideForced(s, 'a', 'block', 'human', 'waiting on design'))
      .then([{ type: 'stage.blocked', stage: 'a', reason: 'waiting on design', by: 'human' }]);
  });

  it('reset of a running stage ends its session and makes it ready again when its dependencies are merged', () => {
    given([...readyA, { type: 'stage.started', stage: 'a', session: 'a.s1' }])
      .when((s) => decideForced(s, 'a', 'reset', 'human'))
      .then(
        [
          { type: 'stage.reset', stage: 'a', by: 'human' },
          { type: 'stage.ready', stage: 'a' },
        ],
        ['endSession'],
      );
  });

  it('reset of a stage whose dependencies are not merged leaves it pending', () => {
    given([...readyA, { type: 'stage.blocked', stage: 'b', reason: 'x' }])
      .when((s) => decideForced(s, 'b', 'reset', 'human'))
      .then([{ type: 'stage.reset', stage: 'b', by: 'human' }]);
  });

  it('a merged stage cannot be forced anywhere', () => {
    given([...readyA, ...toMerged('a')])
      .when((s) => decideForced(s, 'a', 'reset', 'human'))
      .thenRefused(
        "stage 'a' is merged; it does not accept stage.reset there (it accepts: nothing (final state))",
      );
  });
});
