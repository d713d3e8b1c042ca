/**
 * When `flux run` stops watching: nothing can move without a person. A live
 * session keeps it watching, one waiting for a permission answer too (the
 * run must be there to carry on after the answer); one stalled (crashed,
 * ended, reminded out, or prepared by hand and never started) does not, and
 * `flux status` says what each waits for.
 */
import { describe, expect, it } from 'vitest';
import { canMove } from '../../src/engine/monitor.js';
import { statusView, stalledSession } from '../../src/engine/views.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from './spec.js';

const initialized: NewEvent[] = [
  { type: 'plan.initialized', plan: plan([stageDef('a'), stageDef('b', ['a'])]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'a' },
];
const started = (tmux = 'flux-a'): NewEvent[] => [
  { type: 'stage.started', stage: 'a', session: 'a.s1' },
  { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'sim', tmux },
];
const S = { session: 'a.s1' };

describe('canMove', () => {
  it('a ready stage, or a session at work, keeps the run watching', () => {
    expect(canMove(fold(initialized))).toBe(true);
    expect(canMove(fold([...initialized, ...started(), { type: 'session.working', ...S }]))).toBe(true);
  });

  it('a permission question waits on a person, and keeps the run watching for the answer', () => {
    const state = fold([
      ...initialized,
      ...started(),
      { type: 'session.waiting_permission', ...S, tool: 'Bash', detail: 'curl x' },
    ]);
    expect(canMove(state)).toBe(true);
    expect(statusView(state).attention).toEqual([
      { stage: 'a', what: 'permission for Bash: curl x', command: 'flux approve a / flux deny a --reason …' },
    ]);
  });

  it('so does a question asked while handing off (the session stays handing off)', () => {
    const state = fold([
      ...initialized,
      ...started(),
      { type: 'session.handing_off', ...S, trigger: 'threshold' },
      { type: 'session.waiting_permission', ...S, tool: 'Write', detail: '.work/handoffs/a-handoff-001.md' },
    ]);
    expect(state.sessions['a.s1']).toMatchObject({ status: 'handing_off', waiting: { tool: 'Write' } });
    expect(canMove(state)).toBe(true);
    expect(statusView(state).attention[0]).toMatchObject({
      stage: 'a',
      what: 'permission for Write: .work/handoffs/a-handoff-001.md',
    });
    const answered = fold([
      ...initialized,
      ...started(),
      { type: 'session.handing_off', ...S, trigger: 'threshold' },
      { type: 'session.waiting_permission', ...S, tool: 'Write', detail: 'x' },
      { type: 'session.permission_answered', ...S, decision: 'allow' },
    ]);
    expect(answered.sessions['a.s1']).toMatchObject({ status: 'handing_off', waiting: null });
    expect(canMove(answered)).toBe(true);
  });

  it('an idle agent reminded as often as Flux reminds waits on a person; one reminded less does not', () => {
    const reminded = (n: number): NewEvent[] =>
      Array.from({ length: n }, () => ({ type: 'session.reminded', ...S }) as NewEvent);
    const idle = (n: number) =>
      fold([...initialized, ...started(), { type: 'session.idle', ...S }, ...reminded(n)]);
    expect(canMove(idle(2), undefined, 3)).toBe(true);
    expect(canMove(idle(3), undefined, 3)).toBe(false);
    expect(stalledSession(idle(3), 'a.s1', 3)?.what).toBe(
      'its agent stopped without finishing (reminded already)',
    );
  });

  it('a session prepared by hand and never started waits on a person', () => {
    const state = fold([...initialized, ...started('')]);
    expect(canMove(state)).toBe(false);
    expect(statusView(state).attention[0]).toMatchObject({
      stage: 'a',
      what: 'prepared for you to start its agent by hand',
    });
  });

  it('a stage whose session ended before it was done waits for `flux resume`', () => {
    const state = fold([
      ...initialized,
      ...started(),
      { type: 'session.ended', ...S, reason: 'the agent exited' },
    ]);
    expect(canMove(state)).toBe(false);
    expect(statusView(state).attention).toEqual([
      { stage: 'a', what: 'its session ended before the stage was done', command: 'flux resume a' },
    ]);
  });

  it('`--stage` looks at that stage only', () => {
    const state = fold([...initialized, ...started(), { type: 'session.working', ...S }]);
    expect(canMove(state, 'a')).toBe(true);
    expect(canMove(state, 'b')).toBe(false);
  });
});
