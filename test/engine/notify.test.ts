/**
 * Who is told what, once (pure): a permission question, a review, a failed
 * or stopped stage, a merge that did not happen, the plan done; a notice
 * recorded is not due again; the same question asked again later is.
 */
import { describe, expect, it } from 'vitest';
import { decideNotices, dueNotices } from '../../src/engine/notify.js';
import { fillTemplate } from '../../src/effects/notify.js';
import type { NewEvent } from '../../src/log/events.js';
import { evolve } from '../../src/engine/evolve.js';
import { initialState } from '../../src/engine/state.js';
import { fold, plan, stageDef, stamp } from './spec.js';

const initialized: NewEvent[] = [
  {
    type: 'plan.initialized',
    plan: plan([stageDef('a'), stageDef('b', [], { gate: 'auto' })]),
    base_branch: 'main',
  },
  { type: 'stage.ready', stage: 'a' },
  { type: 'stage.ready', stage: 'b' },
];
const startA: NewEvent[] = [
  { type: 'stage.started', stage: 'a', session: 'a.s1' },
  { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'sim', tmux: 'flux-a' },
];
const ask: NewEvent = { type: 'session.waiting_permission', session: 'a.s1', tool: 'Bash', detail: 'curl x' };

describe('notices', () => {
  it('a permission question is told once, with the command that answers it', () => {
    const state = fold([...initialized, ...startA, ask]);
    const [notice, ...rest] = dueNotices(state);
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({
      kind: 'permission',
      stage: 'a',
      title: 'a asks for permission',
      message: 'Bash: curl x (flux approve a / flux deny a)',
    });
    const told = decideNotices(state).events;
    expect(dueNotices(fold([...initialized, ...startA, ask, ...told]))).toEqual([]);
  });

  it('the same question asked again, after an answer, is told again', () => {
    // Each event a second after the last, as the log stamps them.
    const foldTimed = (events: NewEvent[]) =>
      stamp(events)
        .map((e, i) => ({ ...e, at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }))
        .reduce(evolve, initialState());
    const history: NewEvent[] = [...initialized, ...startA, ask];
    const told = decideNotices(foldTimed(history)).events;
    expect(told).toHaveLength(1);
    const answeredAndAskedAgain: NewEvent[] = [
      ...history,
      ...told,
      { type: 'session.permission_answered', session: 'a.s1', decision: 'allow' },
      { type: 'session.working', session: 'a.s1' },
      ask,
    ];
    const again = dueNotices(foldTimed(answeredAndAskedAgain));
    expect(again).toHaveLength(1);
    expect(again[0]!.kind).toBe('permission');
    expect(again[0]!.key).not.toBe((told[0] as { key: string }).key);
  });

  it('a review for a human gate, not for an automatic one', () => {
    const state = fold([
      ...initialized,
      ...startA,
      { type: 'stage.completed', stage: 'a', forced: false },
      { type: 'stage.started', stage: 'b', session: 'b.s1' },
      { type: 'session.started', session: 'b.s1', stage: 'b', agent: 'sim', tmux: 'flux-b' },
      { type: 'stage.completed', stage: 'b', forced: false },
    ]);
    expect(dueNotices(state).map((n) => [n.kind, n.stage])).toEqual([['review', 'a']]);
  });

  it('a failed stage, a stopped session and a refused merge', () => {
    const state = fold([
      ...initialized,
      ...startA,
      { type: 'session.crashed', session: 'a.s1', reason: 'tmux session gone' },
      { type: 'stage.started', stage: 'b', session: 'b.s1' },
      { type: 'session.started', session: 'b.s1', stage: 'b', agent: 'sim', tmux: 'flux-b' },
      { type: 'stage.failed', stage: 'b', reason: 'could not start' },
    ]);
    expect(dueNotices(state).map((n) => [n.kind, n.stage, n.message])).toEqual([
      ['crash', 'a', 'its session crashed (tmux session gone) (flux resume a)'],
      ['crash', 'b', 'could not start (flux resume b)'],
    ]);
    const refused = fold([
      ...initialized,
      ...startA,
      { type: 'stage.completed', stage: 'a', forced: false },
      { type: 'stage.verified', stage: 'a', by: 'human' },
      { type: 'stage.merge_failed', stage: 'a', reason: 'merge conflicts in x', conflicts: ['x'] },
    ]);
    expect(dueNotices(refused).map((n) => [n.kind, n.title])).toEqual([['conflict', 'a was not merged']]);
  });

  it('the plan done, once', () => {
    const merged = (id: string, gate: 'human' | 'auto'): NewEvent[] => [
      { type: 'stage.started', stage: id, session: `${id}.s1` },
      { type: 'stage.completed', stage: id, forced: false },
      { type: 'stage.verified', stage: id, by: gate },
      { type: 'stage.merged', stage: id, commit: `m-${id}` },
    ];
    const state = fold([...initialized, ...merged('a', 'human'), ...merged('b', 'auto')]);
    expect(dueNotices(state)).toEqual([
      {
        key: expect.stringMatching(/^done:/),
        kind: 'done',
        title: 'Test plan is done',
        message: 'all 2 stages are merged into main',
      },
    ]);
    expect(
      dueNotices(
        fold([
          ...initialized,
          ...merged('a', 'human'),
          ...merged('b', 'auto'),
          ...decideNotices(state).events,
        ]),
      ),
    ).toEqual([]);
  });
});

describe('the command template', () => {
  it('fills each argument, never through a shell', () => {
    expect(
      fillTemplate(['notify', '{kind}', '{title}: {message}', '--stage={stage}', '$(rm -rf /)'], {
        kind: 'review',
        stage: 'a',
        title: 'a is ready; rm -rf ~',
        message: 'x',
      }),
    ).toEqual(['notify', 'review', 'a is ready; rm -rf ~: x', '--stage=a', '$(rm -rf /)']);
  });
});

describe('an unreachable host', () => {
  it('is told once per time it goes away, with ssh words', () => {
    const away = fold([
      { type: 'plan.initialized', plan: plan([stageDef('a')]), base_branch: 'main' },
      { type: 'host.unreachable', host: 'box1', reason: 'Connection refused' },
    ]);
    const notices = dueNotices(away).filter((n) => n.kind === 'host');
    expect(notices).toEqual([
      expect.objectContaining({
        title: 'host box1 cannot be reached',
        message: expect.stringContaining('Connection refused') as string,
      }),
    ]);
    const told = fold([
      { type: 'plan.initialized', plan: plan([stageDef('a')]), base_branch: 'main' },
      { type: 'host.unreachable', host: 'box1', reason: 'Connection refused' },
      { type: 'notification.sent', ...notices[0]! },
    ]);
    expect(dueNotices(told).filter((n) => n.kind === 'host')).toEqual([]);
    const back = fold([
      { type: 'plan.initialized', plan: plan([stageDef('a')]), base_branch: 'main' },
      { type: 'host.unreachable', host: 'box1', reason: 'Connection refused' },
      { type: 'host.reachable', host: 'box1' },
    ]);
    expect(dueNotices(back).filter((n) => n.kind === 'host')).toEqual([]);
  });
});
