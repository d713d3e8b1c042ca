/**
 * The merge queue's decisions (pure): its order, what a failed merge records
 * in the state, when the scheduler starts a resolver session, what `flux
 * status` shows, and the resolver's first prompt.
 */
import { describe, expect, it } from 'vitest';
import { decideReconcile } from '../../src/engine/reconcile.js';
import { renderResolverSignal } from '../../src/engine/resolver-prompt.js';
import { decideStarts } from '../../src/engine/scheduler.js';
import { mergeQueue, type FluxState } from '../../src/engine/state.js';
import { statusView } from '../../src/engine/views.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from './spec.js';

const OPTIONS = { maxParallel: 4, agent: 'sim', sessionPrefix: 'flux-' };

/** a → c; b alone; d alone. Every stage started once and completed. */
function completed(ids: string[]): NewEvent[] {
  return ids.flatMap((stage): NewEvent[] => [
    { type: 'stage.started', stage, session: `${stage}.s1` },
    { type: 'session.started', session: `${stage}.s1`, stage, agent: 'sim', tmux: `flux-${stage}` },
    { type: 'stage.completed', stage, forced: false },
  ]);
}

const base: NewEvent[] = [
  {
    type: 'plan.initialized',
    plan: plan([stageDef('a'), stageDef('b'), stageDef('c', ['a']), stageDef('d')]),
    base_branch: 'main',
  },
  { type: 'stage.ready', stage: 'a' },
  { type: 'stage.ready', stage: 'b' },
  { type: 'stage.ready', stage: 'd' },
];

const verified = (stage: string): NewEvent => ({ type: 'stage.verified', stage, by: 'human' });

const conflict = (stage: string, next: 'agent' | 'person'): NewEvent => ({
  type: 'stage.merge_failed',
  stage,
  reason: 'merge conflicts in x.txt',
  conflicts: ['x.txt'],
  cause: 'conflict',
  head: 'h1',
  next,
});

describe('the queue order', () => {
  it('approval order among stages of the same depth, not plan order', () => {
    const state = fold([...base, ...completed(['a', 'b', 'd']), verified('d'), verified('b'), verified('a')]);
    expect(mergeQueue(state)).toEqual(['d', 'b', 'a']);
  });

  it('dependency order first: a deeper stage waits behind a shallower one approved later', () => {
    // c (depth 1) is approved before b (depth 0): b still goes first.
    const state = fold([
      ...base,
      ...completed(['a']),
      verified('a'),
      { type: 'stage.merged', stage: 'a', commit: 'm-a' },
      { type: 'stage.ready', stage: 'c' },
      ...completed(['c', 'b']),
      verified('c'),
      verified('b'),
    ]);
    expect(mergeQueue(state)).toEqual(['b', 'c']);
  });

  it('a stage whose merge failed leaves the queue', () => {
    const state = fold([
      ...base,
      ...completed(['a', 'b']),
      verified('a'),
      verified('b'),
      conflict('a', 'agent'),
    ]);
    expect(mergeQueue(state)).toEqual(['b']);
  });
});

describe('a merge that failed', () => {
  const back = [...base, ...completed(['a']), verified('a'), conflict('a', 'agent')];

  it('records the resolution: cause, files, the head that did not land, one attempt, a session due', () => {
    expect(fold(back).stages.a!.resolution).toEqual({
      cause: 'conflict',
      reason: 'merge conflicts in x.txt',
      conflicts: ['x.txt'],
      results: [],
      head: 'h1',
      attempts: 1,
      due: true,
      next: 'agent',
    });
  });

  it('the scheduler starts a resolver session of the stage, ending the one that finished', () => {
    const decision = decideStarts(fold(back), { ...OPTIONS, only: 'a' });
    expect(decision.events).toEqual([
      { type: 'session.ended', session: 'a.s1', reason: 'replaced by a.s2' },
      { type: 'stage.started', stage: 'a', session: 'a.s2' },
      expect.objectContaining({ type: 'session.started', session: 'a.s2', resolving: 'conflict' }),
    ]);
    expect(decision.effects.map((e) => e.type)).toEqual(['endSession', 'launchSession']);
  });

  it('a crash of the resolver session restarts it as a resolver', () => {
    const state = fold([
      ...back,
      { type: 'session.ended', session: 'a.s1', reason: 'replaced by a.s2' },
      { type: 'stage.started', stage: 'a', session: 'a.s2' },
      {
        type: 'session.started',
        session: 'a.s2',
        stage: 'a',
        agent: 'sim',
        tmux: 'flux-a',
        resolving: 'conflict',
      },
      { type: 'session.crashed', session: 'a.s2', reason: 'gone' },
    ]);
    expect(decideStarts(state, OPTIONS).events).toContainEqual(
      expect.objectContaining({ type: 'session.started', session: 'a.s3', resolving: 'conflict' }),
    );
  });

  it('waiting on a person (next: person): no session, and flux status asks for `flux merge`', () => {
    const state = fold([...base, ...completed(['a']), verified('a'), conflict('a', 'person')]);
    expect(decideStarts(state, { ...OPTIONS, only: 'a' }).events).toEqual([]);
    const view = statusView(state);
    expect(view.stages.find((s) => s.id === 'a')!.merge).toMatchObject({
      state: 'waiting',
      cause: 'conflict',
    });
    expect(view.attention).toContainEqual(expect.objectContaining({ stage: 'a', command: 'flux merge a' }));
  });

  it('attempts add up over returns, and go with a merge or a reset', () => {
    const twice: NewEvent[] = [
      ...back,
      { type: 'stage.started', stage: 'a', session: 'a.s2' },
      {
        type: 'session.started',
        session: 'a.s2',
        stage: 'a',
        agent: 'sim',
        tmux: 'flux-a',
        resolving: 'conflict',
      },
      { type: 'stage.completed', stage: 'a', forced: false },
      verified('a'),
      conflict('a', 'agent'),
    ];
    expect(fold(twice).stages.a!.resolution).toMatchObject({ attempts: 2, due: true });
    expect(fold([...twice, { type: 'stage.reset', stage: 'a' }]).stages.a!.resolution).toBeNull();
  });
});

describe('a conflict foreseen before the review', () => {
  const waiting = [...base, ...completed(['a'])];

  it('reconcile records the forecast of a completed stage, and the scheduler starts its resolver', () => {
    const decision = decideReconcile(fold(waiting), {
      tmux: null,
      worktrees: new Set(['a']),
      predicted: { a: { conflicts: ['x.txt'], head: 'h1' } },
    });
    expect(decision.events).toEqual([
      { type: 'merge.conflict_predicted', stage: 'a', conflicts: ['x.txt'], head: 'h1' },
    ]);
    const state = fold([...waiting, ...decision.events]);
    expect(state.stages.a!.resolution).toMatchObject({ attempts: 1, due: true, predicted: true, head: 'h1' });
    expect(statusView(state).attention.map((a) => a.stage)).not.toContain('a');
    expect(decideStarts(state, { ...OPTIONS, only: 'a' }).events).toContainEqual(
      expect.objectContaining({ type: 'session.started', session: 'a.s2', resolving: 'conflict' }),
    );
  });

  it('not twice: a forecast already due is not recorded again', () => {
    const due = fold([
      ...waiting,
      { type: 'merge.conflict_predicted', stage: 'a', conflicts: ['x.txt'], head: 'h1' },
    ]);
    const decision = decideReconcile(due, {
      tmux: null,
      worktrees: new Set(['a']),
      predicted: { a: { conflicts: ['x.txt'], head: 'h1' } },
    });
    expect(decision.events).toEqual([]);
  });
});

describe('flux status', () => {
  function viewOf(state: FluxState, id: string) {
    return statusView(state).stages.find((s) => s.id === id)!.merge;
  }

  it('queued, and checking with the commit; the queue in merge order', () => {
    const state = fold([
      ...base,
      ...completed(['a', 'b']),
      verified('b'),
      verified('a'),
      { type: 'merge.checking', stage: 'b', commit: 'c0ffee', base_commit: 'b0', commands: ['npm test'] },
    ]);
    expect(viewOf(state, 'b')).toMatchObject({ state: 'checking', position: 1, commit: 'c0ffee' });
    expect(viewOf(state, 'a')).toMatchObject({ state: 'queued', position: 2 });
    expect(statusView(state).queue.map((q) => [q.stage, q.state])).toEqual([
      ['b', 'checking'],
      ['a', 'queued'],
    ]);
  });

  it('back with its agent: not waiting on a person; resolved: the gate asks again, saying so', () => {
    const back = fold([...base, ...completed(['a']), verified('a'), conflict('a', 'agent')]);
    expect(viewOf(back, 'a')).toMatchObject({ state: 'returned', attempts: 1 });
    expect(statusView(back).attention.map((a) => a.stage)).not.toContain('a');
    const resolved = fold([
      ...base,
      ...completed(['a']),
      verified('a'),
      conflict('a', 'agent'),
      { type: 'stage.started', stage: 'a', session: 'a.s2' },
      {
        type: 'session.started',
        session: 'a.s2',
        stage: 'a',
        agent: 'sim',
        tmux: 'flux-a',
        resolving: 'conflict',
      },
      { type: 'stage.completed', stage: 'a', forced: false },
    ]);
    expect(viewOf(resolved, 'a')).toMatchObject({ state: 'resolved' });
    expect(statusView(resolved).attention).toContainEqual({
      stage: 'a',
      what: 'conflict resolved: review the resolution and approve or reject',
      command: 'flux verify a',
    });
  });
});

describe("the resolver's first prompt", () => {
  const state = fold([
    ...base,
    ...completed(['a']),
    verified('a'),
    {
      type: 'stage.merge_failed',
      stage: 'a',
      reason: 'the merged tree fails the checks: npm test',
      conflicts: [],
      cause: 'checks',
      head: 'h1',
      results: [
        {
          command: 'npm test',
          exit_code: 1,
          timed_out: false,
          duration_ms: 5,
          output_tail: 'FAIL api.test.ts\n',
        },
        { command: 'npm run lint', exit_code: 0, timed_out: false, duration_ms: 5, output_tail: 'ok\n' },
      ],
      next: 'agent',
    },
  ]);
  const prompt = renderResolverSignal({
    stage: state.stages.a!,
    resolution: state.stages.a!.resolution!,
    session: 'a.s2',
    worktree: '/repo/.worktrees/a',
    branch: 'flux/a',
    base: 'main',
    checks: ['npm test', 'npm run lint'],
    others: [{ id: 'b', name: 'B', description: 'Renames the API', commits: ['b: rename login'] }],
    maxAttempts: 2,
    handoff: null,
  });

  it('says what failed, with the output of the failing checks only', () => {
    expect(prompt).toMatch(/^# Flux stage a: a — make the checks pass on main\n/);
    expect(prompt).toContain('This is attempt 1 of 2.');
    expect(prompt).toContain('### `npm test` (exited 1)\n\n```\nFAIL api.test.ts\n```');
    expect(prompt).not.toContain('### `npm run lint`');
  });

  it("gives the other side's intent and the steps", () => {
    expect(prompt).toContain('### b: B\n\nRenames the API\n\n- b: rename login');
    expect(prompt).toContain('1. Merge main into your branch: `git merge main`.');
    expect(prompt).toContain('- `npm test`\n- `npm run lint`');
    expect(prompt).toContain('5. Run `flux done`');
  });
});
