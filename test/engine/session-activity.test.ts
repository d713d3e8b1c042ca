/**
 * What a session shows as doing: its status, except a command agent's
 * (`[agents.<name>]`), which sends no hooks and stays `starting` in the log
 * for its whole life: it shows `running` once Flux has launched it.
 */
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/cli/commands/status.js';
import { sessionActivity, statusView } from '../../src/engine/views.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from './spec.js';

const started = (agent: string, tmux = 'flux-api'): NewEvent[] => [
  { type: 'plan.initialized', plan: plan([stageDef('api')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'api' },
  { type: 'stage.started', stage: 'api', session: 'api.s1' },
  { type: 'session.started', session: 'api.s1', stage: 'api', agent, tmux },
];

describe('sessionActivity', () => {
  it('shows a launched command agent as running, in flux status too', () => {
    const view = statusView(fold(started('aider')));
    expect(view.stages[0]!.session).toMatchObject({
      status: 'starting',
      activity: 'running',
      agent: 'aider',
    });
    expect(renderStatus(view, 80)).toMatch(/^api\s+running\s+-\s+s1 \(running\)/m);
  });

  it('leaves agents that report through hooks as the log says', () => {
    expect(statusView(fold(started('claude'))).stages[0]!.session!.activity).toBe('starting');
    expect(statusView(fold(started('sim'))).stages[0]!.session!.activity).toBe('starting');
    expect(sessionActivity({ status: 'idle', agent: 'claude', tmux: 'flux-api' })).toBe('idle');
  });

  it('keeps a command agent prepared by hand (no tmux) as starting, and an ended one ended', () => {
    expect(sessionActivity({ status: 'starting', agent: 'aider', tmux: '' })).toBe('starting');
    expect(sessionActivity({ status: 'ended', agent: 'aider', tmux: 'flux-api' })).toBe('ended');
  });
});
