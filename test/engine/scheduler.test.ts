/**
 * Which stages get a session now: `decideStarts` and `wantsSession`, as
 * given-events / when / then-events specifications.
 */
import { describe, expect, it } from 'vitest';
import {
  decideStarts,
  MAX_CRASH_RESTARTS,
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

/** What the scheduler decides: `start`, with the agent session id it chose (random) for the sim. */
function started(stage: string, n = 1, extra: Parameters<typeof start>[2] = {}): NewEvent[] {
  return start(stage, n, extra).map((event) =>
    event.type === 'session.started' ? { ...event, agent_session_id: expect.any(String) as string } : event,
  );
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
      .then([...started('a'), ...started('b')], ['launchSession', 'launchSession']);
  });

  it('counts the sessions already alive against max parallel', () => {
    given([...initialized, ...start('a'), ...start('b'), ...start('c')])
      .when((s) => decideStarts(s, OPTIONS))
      .then(started('d'));
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
      .then(started('c'));
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
        ...started('c', 2, { handoff: 'handoffs/c-handoff-001.md' }),
        ...started('d', 2, { feedback: 'no tests' }),
        ...started('e', 2),
      ]);
    expect(startedStages(events)).not.toContain('a');
    // With one more slot, the first fresh stage follows them.
    given(history)
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 4 }))
      .then([
        ...started('c', 2, { handoff: 'handoffs/c-handoff-001.md' }),
        ...started('d', 2, { feedback: 'no tests' }),
        ...started('e', 2),
        ...started('a'),
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
      .then(started('a', 3, { handoff }));
    // The previous session is closed (if anything is left of it) and the new one launched.
    expect(effects).toEqual([
      { type: 'endSession', params: { stage: 'a', session: 'a.s2' } },
      { type: 'launchSession', params: { stage: 'a', session: 'a.s3' } },
    ]);
  });

  it('--stage: only that stage starts, whatever else is ready', () => {
    given(initialized)
      .when((s) => decideStarts(s, { ...OPTIONS, only: 'c' }))
      .then(started('c'));
    given([...initialized, ...start('c')])
      .when((s) => decideStarts(s, { ...OPTIONS, only: 'c' }))
      .then([]);
  });

  it('--manual: sessions without a tmux session', () => {
    given(initialized)
      .when((s) => decideStarts(s, { ...OPTIONS, maxParallel: 1, manual: true }))
      .then(started('a', 1, { tmux: '' }));
  });

  it('a stage whose dependencies are not merged does not start', () => {
    const chain = plan([stageDef('a'), stageDef('b', ['a'])]);
    given([
      { type: 'plan.initialized', plan: chain, base_branch: 'main' },
      { type: 'stage.ready', stage: 'a' },
    ])
      .when((s) => decideStarts(s, OPTIONS))
      .then(started('a'));
  });

  it(`restarts a crashed session at most ${MAX_CRASH_RESTARTS} times in a row, numbering sessions s2, s3…`, () => {
    let history: NewEvent[] = [...solo, ...start('a'), crash('a', 1)];
    for (let n = 2; n <= MAX_CRASH_RESTARTS + 1; n++) {
      given(history)
        .when((s) => decideStarts(s, { ...OPTIONS, only: 'a' }))
        .then(started('a', n));
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
      .then(started('a', 6));
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

describe('the agent session id', () => {
  it.each(['claude', 'sim'])(
    'a %s session gets one of its own, chosen when the start is decided (the agent is given it)',
    (agent) => {
      const { events } = decideStarts(fold(initialized), { ...OPTIONS, agent, maxParallel: 2 });
      const ids = events
        .filter((e) => e.type === 'session.started')
        .map((e) => (e as { agent_session_id?: string }).agent_session_id);
      expect(ids).toHaveLength(2);
      for (const id of ids)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(ids).size).toBe(2);
      const state = fold([...initialized, ...events]);
      expect(state.sessions['a.s1']?.agentSessionId).toBe(ids[0]);
    },
  );

  it('a command agent takes none', () => {
    const { events } = decideStarts(fold(initialized), { ...OPTIONS, agent: 'aider', maxParallel: 1 });
    expect(events.find((e) => e.type === 'session.started')).not.toHaveProperty('agent_session_id');
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
