/**
 * What a refusal tells a person to do about a stage (the hint of `flux
 * verify`, `flux merge`, `flux attach` …), for a running stage: attach to a
 * working agent, resume one whose session is over, start one prepared by hand.
 */
import { describe, expect, it } from 'vitest';
import { nextStepFor, requireVerifiable } from '../../src/engine/verify.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from './spec.js';

const running = (tmux = 'flux-api'): NewEvent[] => [
  { type: 'plan.initialized', plan: plan([stageDef('api')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'api' },
  { type: 'stage.started', stage: 'api', session: 'api.s1' },
  { type: 'session.started', session: 'api.s1', stage: 'api', agent: 'sim', tmux },
];

function hint(events: NewEvent[]): string {
  const state = fold(events);
  return nextStepFor(state, state.stages.api!);
}

describe('nextStepFor a running stage', () => {
  it('points at the agent while its session is alive', () => {
    expect(hint([...running(), { type: 'session.working', session: 'api.s1' }])).toContain('flux attach api');
  });

  it('points at flux resume, not attach, once its session ended or crashed', () => {
    for (const end of ['session.ended', 'session.crashed'] as const) {
      const text = hint([...running(), { type: end, session: 'api.s1', reason: 'gone' }]);
      expect(text).toContain('`flux resume api`');
      expect(text).not.toContain('attach');
      expect(text).not.toContain('still working');
    }
  });

  it('says the agent waits to be started by hand for a --manual session', () => {
    const text = hint(running(''));
    expect(text).toContain('by hand');
    expect(text).not.toContain('attach');
  });

  it('is the hint of flux verify on such a stage', () => {
    const state = fold([...running(), { type: 'session.ended', session: 'api.s1', reason: 'exited' }]);
    expect(() => requireVerifiable(state, state.stages.api!)).toThrow(/not completed/);
    try {
      requireVerifiable(state, state.stages.api!);
    } catch (error) {
      expect((error as { hint?: string }).hint).toContain('`flux resume api`');
    }
  });
});
