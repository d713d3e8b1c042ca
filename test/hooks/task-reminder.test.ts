/**
 * The reminder a Stop hook answers with names what the agent works on: a
 * stage of the plan, or an ad hoc task (`flux task run`).
 */
import { describe, expect, it } from 'vitest';
import { decideHook } from '../../src/hooks/decide.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from '../engine/spec.js';

const SETTINGS = { threshold: 75, reminders: 3 };

function reminder(events: NewEvent[], session: string): string {
  const decision = decideHook(fold(events), session, 'Stop', { stop_hook_active: false }, SETTINGS, '');
  expect(decision.answer).not.toBeNull();
  return (JSON.parse(decision.answer!) as { reason: string }).reason;
}

describe('the Stop reminder', () => {
  it('says "task" to a task\'s agent', () => {
    const events: NewEvent[] = [
      {
        type: 'task.created',
        task: stageDef('fix-login'),
        worktree: '/repo-fix-login',
        branch: 'feature/fix-login',
        base: 'main',
        placement: 'pane',
        tmux_session: 'flux-repo-fix-login',
      },
      { type: 'stage.ready', stage: 'fix-login' },
      { type: 'stage.started', stage: 'fix-login', session: 'fix-login.s1' },
      { type: 'session.started', session: 'fix-login.s1', stage: 'fix-login', agent: 'sim', tmux: '%3' },
      { type: 'session.working', session: 'fix-login.s1' },
    ];
    const text = reminder(events, 'fix-login.s1');
    expect(text).toMatch(/^The task is not done yet\./);
    expect(text).not.toContain('stage');
  });

  it('says "stage" to a plan stage\'s agent', () => {
    const events: NewEvent[] = [
      { type: 'plan.initialized', plan: plan([stageDef('api')]), base_branch: 'main' },
      { type: 'stage.ready', stage: 'api' },
      { type: 'stage.started', stage: 'api', session: 'api.s1' },
      { type: 'session.started', session: 'api.s1', stage: 'api', agent: 'sim', tmux: 'flux-api' },
      { type: 'session.working', session: 'api.s1' },
    ];
    expect(reminder(events, 'api.s1')).toMatch(/^The stage is not done yet\./);
  });
});
