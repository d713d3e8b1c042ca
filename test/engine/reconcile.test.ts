/**
 * Reconciling the log with the world: given the events and what tmux and git
 * were seen to hold, the events that record each difference and the effects
 * that finish interrupted work (`decideReconcile`).
 */
import { describe, expect, it } from 'vitest';
import { decideReconcile, type Observed } from '../../src/engine/reconcile.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, given, plan, stageDef } from './spec.js';

const chain = plan([stageDef('a'), stageDef('b', ['a']), stageDef('c')]);
const initialized: NewEvent[] = [
  { type: 'plan.initialized', plan: chain, base_branch: 'main' },
  { type: 'stage.ready', stage: 'a' },
  { type: 'stage.ready', stage: 'c' },
];

function start(stage: string, n = 1, tmux = `flux-${stage}`): NewEvent[] {
  return [
    { type: 'stage.started', stage, session: `${stage}.s${n}` },
    { type: 'session.started', session: `${stage}.s${n}`, stage, agent: 'sim', tmux },
  ];
}

/** What was observed: tmux session names (null: tmux not asked this round) and stages with a worktree. */
function world(tmux: string[] | null = [], worktrees: string[] = []): Observed {
  return { tmux: tmux === null ? null : new Set(tmux), worktrees: new Set(worktrees) };
}

const verifiedA: NewEvent[] = [
  ...initialized,
  ...start('a'),
  { type: 'stage.completed', stage: 'a', forced: false },
  { type: 'stage.verified', stage: 'a', by: 'auto' },
];

describe('decideReconcile', () => {
  it('a world that matches the log: nothing', () => {
    given([...initialized, ...start('a'), { type: 'session.working', session: 'a.s1' }])
      .when((s) => decideReconcile(s, world(['flux-a'], ['a'])))
      .then([], []);
  });

  it('a live session whose tmux session is gone: crashed, naming the tmux session', () => {
    given([...initialized, ...start('a'), ...start('c'), { type: 'session.working', session: 'a.s1' }])
      .when((s) => decideReconcile(s, world(['flux-c'], ['a', 'c'])))
      .then([{ type: 'session.crashed', session: 'a.s1', reason: 'its tmux session flux-a is gone' }], []);
  });

  it('a session started by hand (tmux "") is never taken for crashed', () => {
    given([...initialized, ...start('a', 1, ''), { type: 'session.working', session: 'a.s1' }])
      .when((s) => decideReconcile(s, world([], ['a'])))
      .then([], []);
  });

  it('an ended session whose tmux session is still there: endSession', () => {
    const { effects } = given([
      ...initialized,
      ...start('a'),
      { type: 'stage.completed', stage: 'a', forced: false },
      { type: 'session.ended', session: 'a.s1', reason: 'stage completed' },
    ])
      .when((s) => decideReconcile(s, world(['flux-a'], ['a'])))
      .then([], ['endSession']);
    expect(effects[0]).toEqual({ type: 'endSession', params: { stage: 'a', session: 'a.s1' } });
  });

  it('a crashed session whose tmux session is still there: endSession too', () => {
    given([
      ...initialized,
      ...start('a'),
      { type: 'session.crashed', session: 'a.s1', reason: 'the agent exited with status 1' },
    ])
      .when((s) => decideReconcile(s, world(['flux-a'], ['a'])))
      .then([], ['endSession']);
  });

  it('an ended session whose tmux session is gone: nothing', () => {
    given([
      ...initialized,
      ...start('a'),
      { type: 'stage.completed', stage: 'a', forced: false },
      { type: 'session.ended', session: 'a.s1', reason: 'stage completed' },
    ])
      .when((s) => decideReconcile(s, world([], ['a'])))
      .then([], []);
  });

  it('verified, no reason: mergeStage (a run killed after the merge finds it made by the merge itself)', () => {
    const { effects } = given(verifiedA)
      .when((s) => decideReconcile(s, world(['flux-a'], ['a'])))
      .then([], ['mergeStage']);
    expect(effects[0]).toEqual({ type: 'mergeStage', params: { stage: 'a' } });
  });

  it('verified after a failed merge (a reason is recorded): no new attempt until a person acts', () => {
    given([
      ...verifiedA,
      { type: 'stage.merge_failed', stage: 'a', reason: 'merge conflicts in x.ts', conflicts: ['x.ts'] },
    ])
      .when((s) => decideReconcile(s, world(['flux-a'], ['a'])))
      .then([], []);
  });

  it('merged with its worktree still there: cleanupStage', () => {
    const { effects } = given([
      ...verifiedA,
      { type: 'stage.merged', stage: 'a', commit: 'c0ffee' },
      { type: 'stage.ready', stage: 'b' },
      { type: 'session.ended', session: 'a.s1', reason: 'ended by Flux' },
    ])
      .when((s) => decideReconcile(s, world([], ['a'])))
      .then([], ['cleanupStage']);
    expect(effects[0]).toEqual({ type: 'cleanupStage', params: { stage: 'a' } });
  });

  it('merged and cleaned up: nothing', () => {
    given([
      ...verifiedA,
      { type: 'stage.merged', stage: 'a', commit: 'c0ffee' },
      { type: 'stage.ready', stage: 'b' },
      { type: 'session.ended', session: 'a.s1', reason: 'ended by Flux' },
    ])
      .when((s) => decideReconcile(s, world([], [])))
      .then([], []);
  });

  it('tmux not asked this round (null): no crash recorded and no leftover closed; git work still finished', () => {
    given([
      ...verifiedA,
      ...start('c'),
      { type: 'session.working', session: 'c.s1' },
      { type: 'session.crashed', session: 'a.s1', reason: 'the agent exited with status 1' },
    ])
      .when((s) => decideReconcile(s, world(null, ['a', 'c'])))
      .then([], ['mergeStage']);
  });

  it('records every difference at once', () => {
    given([...verifiedA, ...start('c'), { type: 'session.working', session: 'c.s1' }])
      .when((s) => decideReconcile(s, world(['flux-a'], ['a', 'c'])))
      .then(
        [{ type: 'session.crashed', session: 'c.s1', reason: 'its tmux session flux-c is gone' }],
        ['mergeStage'],
      );
  });
});

describe('hosts seen while reconciling', () => {
  const planned: NewEvent[] = [
    { type: 'plan.initialized', plan: plan([stageDef('a')]), base_branch: 'main' },
    { type: 'stage.ready', stage: 'a' },
  ];
  it('records a host going away and coming back, once each', () => {
    const seen = { tmux: new Set<string>(), worktrees: new Set<string>() };
    const away = decideReconcile(fold(planned), {
      ...seen,
      hosts: { reachable: [], unreachable: { box1: 'Connection refused' } },
    });
    expect(away.events).toEqual([{ type: 'host.unreachable', host: 'box1', reason: 'Connection refused' }]);
    const still = fold([...planned, ...away.events]);
    expect(
      decideReconcile(still, { ...seen, hosts: { reachable: [], unreachable: { box1: 'timeout' } } }).events,
    ).toEqual([]);
    expect(
      decideReconcile(still, { ...seen, hosts: { reachable: ['box1'], unreachable: {} } }).events,
    ).toEqual([{ type: 'host.reachable', host: 'box1' }]);
  });
});
