/**
 * Which stages get a session now: `decideStarts` and `wantsSession`, as
 * given-events / when / then-events specifications.
 */
import { describe, expect, it } from 'vitest';
import {
  decideStarts,
  MAX_CRASH_RESTARTS,
  toSessionName,
  wantsSession,
  type StartOptions,
} from '../../src/engine/scheduler.js';
import type { NewEvent } from '../../src/log/events.js';
import { liveSessions } from '../../src/engine/state.js';
import { fold, given, plan, stageDef } from './spec.js';

const OPTIONS: StartOptions = { maxParallel: 4, agent: 'sim', sessionPrefix: 'flux-' };
const five = plan(['a', 'b', 'c', 'd', 'e'].map((id) => stageDef(id)));
const initialized: NewEvent[] = [
  { type: 'plan.initialized', plan: five, base_branch: 'main' },
  ...['a', 'b', 'c', 'd', 'e'].map((stage): NewEvent => ({ type: 'stage.ready', stage })),
];
/** A one-stage plan, for a stage's own history. */
const solo: NewEvent[] = [
  { type: 'plan.initialized', plan: plan([stageDef('a')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'a' },
];

function start(
  stage: string,
  n = 1,
  extra: { handoff?: string; tmux?: string; feedback?: string } = {},
): NewEvent[] {
  const session = `${stage}.s${n}`;
  return [
    { type: 'stage.started', stage, session },
    {
      type: 'session.started',
      session,
      stage,
      agent: 'sim',
      tmux: extra.tmux ?? `flux-${stage}`,
      ...(extra.handoff === undefined ? {} : { handoff: extra.handoff }),
      ...(extra.feedback === undefined ? {} : { feedback: extra.feedback }),
    },
  ];
}

const crash = (stage: string, n: number): NewEvent => ({
  type: 'session.crashed',
  session: `${stage}.s${n}`,
  reason: 'the agent exited with status 1',
});

function startedStages(events: NewEvent[]): string[] {
  return events.filter((e) => e.type === 'stage.started').map((e) => (e as { stage: string }).stage);
}

describe('decideStarts', () => {
  it('starts ready stages in plan order, each with session s1 in tmux <prefix><stage>', () => {
    given(initialized)
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 2 }))
      .then([...start('a'), ...start('b')], ['launchSession', 'launchSession']);
  });

  it('counts the sessions already alive against max parallel', () => {
    given([...initialized, ...start('a'), ...start('b'), ...start('c')])
      .when((s) => decideStarts(s, OPTIONS))
      .then(start('d'));
    given([...initialized, ...start('a'), ...start('b')])
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 2 }))
      .then([]);
  });

  it('ended sessions free their slot', () => {
    const history: NewEvent[] = [
      ...initialized,
      ...start('a'),
      ...start('b'),
      { type: 'stage.completed', stage: 'a', forced: false },
      { type: 'session.ended', session: 'a.s1', reason: 'stage completed' },
    ];
    given(history)
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 2 }))
      .then(start('c'));
  });

  it('stages already in progress (handoff, rejected, crashed) go before fresh ready ones', () => {
    const history: NewEvent[] = [
      ...initialized,
      ...start('c'),
      { type: 'session.handing_off', session: 'c.s1', trigger: 'threshold' },
      { type: 'stage.handoff_requested', stage: 'c', session: 'c.s1', handoff: 'handoffs/c-handoff-001.md' },
      { type: 'session.ended', session: 'c.s1', reason: 'handed off' },
      ...start('d'),
      { type: 'stage.completed', stage: 'd', forced: false },
      { type: 'stage.rejected', stage: 'd', reason: 'no tests' },
      { type: 'session.ended', session: 'd.s1', reason: 'stage rejected' },
      ...start('e'),
      crash('e', 1),
    ];
    const { events } = given(history)
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 3 }))
      .then([
        ...start('c', 2, { handoff: 'handoffs/c-handoff-001.md' }),
        ...start('d', 2, { feedback: 'no tests' }),
        ...start('e', 2),
      ]);
    expect(startedStages(events)).not.toContain('a');
    // With one more slot, the first fresh stage follows them.
    given(history)
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 4 }))
      .then([
        ...start('c', 2, { handoff: 'handoffs/c-handoff-001.md' }),
        ...start('d', 2, { feedback: 'no tests' }),
        ...start('e', 2),
        ...start('a'),
      ]);
  });

  it('the session after a handoff carries the handoff document on session.started', () => {
    const handoff = 'handoffs/a-handoff-002.md';
    const history: NewEvent[] = [
      ...initialized,
      ...start('a'),
      { type: 'stage.handoff_requested', stage: 'a', session: 'a.s1', handoff: 'handoffs/a-handoff-001.md' },
      { type: 'session.ended', session: 'a.s1', reason: 'handed off' },
      ...start('a', 2, { handoff: 'handoffs/a-handoff-001.md' }),
      { type: 'stage.handoff_requested', stage: 'a', session: 'a.s2', handoff },
      { type: 'session.ended', session: 'a.s2', reason: 'handed off' },
    ];
    const { effects } = given(history)
      .when((s) => decideStarts(s, { ...OPTIONS, only: 'a' }))
      .then(start('a', 3, { handoff }));
    // The previous session is closed (if anything is left of it) and the new one launched.
    expect(effects).toEqual([
      { type: 'endSession', params: { stage: 'a', session: 'a.s2' } },
      { type: 'launchSession', params: { stage: 'a', session: 'a.s3' } },
    ]);
  });

  it('--stage: only that stage starts, whatever else is ready', () => {
    given(initialized)
      .when((s) => decideStarts(s, { ...OPTIONS, only: 'c' }))
      .then(start('c'));
    given([...initialized, ...start('c')])
      .when((s) => decideStarts(s, { ...OPTIONS, only: 'c' }))
      .then([]);
  });

  it('--manual: sessions without a tmux session', () => {
    given(initialized)
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 1, manual: true }))
      .then(start('a', 1, { tmux: '' }));
  });

  it('a stage whose dependencies are not merged does not start', () => {
    const chain = plan([stageDef('a'), stageDef('b', ['a'])]);
    given([
      { type: 'plan.initialized', plan: chain, base_branch: 'main' },
      { type: 'stage.ready', stage: 'a' },
    ])
      .when((s) => decideStarts(s, OPTIONS))
      .then(start('a'));
  });

  it(`restarts a crashed session at most ${MAX_CRASH_RESTARTS} times in a row, numbering sessions s2, s3…`, () => {
    let history: NewEvent[] = [...solo, ...start('a'), crash('a', 1)];
    for (let n = 2; n <= MAX_CRASH_RESTARTS + 1; n++) {
      given(history)
        .when((s) => decideStarts(s, { ...OPTIONS, only: 'a' }))
        .then(start('a', n));
      history = [...history, ...start('a', n), crash('a', n)];
    }
    given(history)
      .when((s) => decideStarts(s, { ...OPTIONS, only: 'a' }))
      .then([]);
    expect(wantsSession(fold(history), fold(history).stages.a!)).toBeNull();
  });

  it('a session that lives between crashes resets the count', () => {
    const history: NewEvent[] = [
      ...solo,
      ...start('a'),
      crash('a', 1),
      ...start('a', 2),
      crash('a', 2),
      ...start('a', 3),
      { type: 'session.handing_off', session: 'a.s3', trigger: 'threshold' },
      { type: 'stage.handoff_requested', stage: 'a', session: 'a.s3', handoff: 'handoffs/a-handoff-001.md' },
      { type: 'session.ended', session: 'a.s3', reason: 'handed off' },
      ...start('a', 4, { handoff: 'handoffs/a-handoff-001.md' }),
      crash('a', 4),
      ...start('a', 5),
      crash('a', 5),
    ];
    given(history)
      .when((s) => decideStarts(s, { ...OPTIONS, only: 'a' }))
      .then(start('a', 6));
  });

  it('a session that ended without `flux done` is not restarted (`flux resume` is for a person)', () => {
    // An agent that exits 0 after one message, or a person typing /exit: restarting it would loop.
    const history: NewEvent[] = [
      ...solo,
      ...start('a'),
      { type: 'session.ended', session: 'a.s1', reason: 'the agent exited' },
    ];
    given(history)
      .when((s) => decideStarts(s, OPTIONS))
      .then([]);
    const state = fold(history);
    expect(wantsSession(state, state.stages.a!)).toBeNull();
    // Even after crashes: the session that ended last decides.
    const after = fold([
      ...solo,
      ...start('a'),
      crash('a', 1),
      ...start('a', 2),
      { type: 'session.ended', session: 'a.s2', reason: 'agent exited (prompt_input_exit)' },
    ]);
    expect(wantsSession(after, after.stages.a!)).toBeNull();
  });

  // After `flux handoff` the stage needs a handoff while its session is still
  // handing off (alive) until its Stop arrives: the batch that starts the next
  // session ends it, so the log never has two live sessions for a stage.
  it('the session that handed off is over when the next one starts (never two alive)', () => {
    const history: NewEvent[] = [
      ...solo,
      ...start('a'),
      { type: 'session.handing_off', session: 'a.s1', trigger: 'threshold' },
      { type: 'stage.handoff_requested', stage: 'a', session: 'a.s1', handoff: 'handoffs/a-handoff-001.md' },
    ];
    const { events } = decideStarts(fold(history), OPTIONS);
    expect(startedStages(events)).toEqual(['a']);
    const after = fold([...history, ...events]);
    expect(
      liveSessions(after)
        .filter((s) => s.stage === 'a')
        .map((s) => s.id),
    ).toEqual(['a.s2']);
  });
});

describe('wantsSession', () => {
  const history: NewEvent[] = [...initialized, ...start('a')];

  it('says why a stage wants a session, or null', () => {
    const state = fold(history);
    expect(wantsSession(state, state.stages.a!)).toBeNull(); // running, its session alive
    expect(wantsSession(state, state.stages.b!)).toBe('ready');
    const crashed = fold([...history, crash('a', 1)]);
    expect(wantsSession(crashed, crashed.stages.a!)).toBe('crashed');
    const handoff = fold([
      ...history,
      { type: 'stage.handoff_requested', stage: 'a', session: 'a.s1', handoff: 'handoffs/a-handoff-001.md' },
    ]);
    expect(wantsSession(handoff, handoff.stages.a!)).toBe('handoff');
    const rejected = fold([
      ...history,
      { type: 'stage.completed', stage: 'a', forced: false },
      { type: 'stage.rejected', stage: 'a', reason: 'no' },
    ]);
    expect(wantsSession(rejected, rejected.stages.a!)).toBe('rejected');
  });

  it('never for pending, completed, verified, merged, failed or blocked stages', () => {
    const chain = plan([stageDef('a'), stageDef('b', ['a']), stageDef('c'), stageDef('d'), stageDef('e')]);
    const state = fold([
      { type: 'plan.initialized', plan: chain, base_branch: 'main' },
      { type: 'stage.ready', stage: 'a' },
      { type: 'stage.ready', stage: 'c' },
      { type: 'stage.ready', stage: 'd' },
      { type: 'stage.ready', stage: 'e' },
      ...start('a'),
      { type: 'stage.completed', stage: 'a', forced: false },
      ...start('c'),
      { type: 'stage.failed', stage: 'c', reason: 'could not start' },
      { type: 'stage.blocked', stage: 'd', reason: 'waiting' },
      { type: 'stage.completed', stage: 'e', forced: true },
      { type: 'stage.verified', stage: 'e', by: 'human' },
    ]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(wantsSession(state, state.stages[id]!), id).toBeNull();
  });
});

describe('toSessionName', () => {
  it('replaces characters tmux would rewrite or misread in a target', () => {
    expect(toSessionName('flux-stage-1')).toBe('flux-stage-1');
    expect(toSessionName('flux-stage.1:x')).toBe('flux-stage_1_x');
    expect(toSessionName('%odd')).toBe('_odd');
  });
});
