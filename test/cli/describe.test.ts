/** The one-line words for events of spend, budgets and setup, live (`flux run`) and in `flux replay`. */
import { describe, expect, it } from 'vitest';
import { describeEvent, describeNewEvent } from '../../src/cli/describe.js';
import type { FluxState } from '../../src/engine/state.js';
import type { FluxEvent } from '../../src/log/events.js';

const envelope = { v: 1, seq: 9, at: '2026-12-01T10:00:00.000Z' } as const;
const ev = (body: Record<string, unknown>) => ({ ...envelope, ...body }) as unknown as FluxEvent;

describe('describe: spend, budgets and setup', () => {
  it.each([
    [
      { type: 'session.cost', session: 'api.s1', usd: 0.1234, tokens: 5100 },
      'api.s1: spent $0.12 (5k tokens)',
    ],
    [{ type: 'session.cost', session: 'api.s1', usd: 2 }, 'api.s1: spent $2.00'],
    [
      { type: 'budget.reached', stage: 'api', kind: 'usd', spent: 1.02, limit: 1 },
      'api: budget reached: $1.02 of $1.00',
    ],
    [
      { type: 'budget.reached', kind: 'minutes', spent: 61.4, limit: 60 },
      'the plan: budget reached: 61 min of 60 min',
    ],
    [
      { type: 'budget.raised', stage: 'api', usd: 3, tokens: 90000, by: 'human' },
      'api: budget set to $3.00, 90k tokens',
    ],
    [
      {
        type: 'setup.started',
        stage: 'api',
        session: 'api.s1',
        commands: ['npm ci'],
        log: 'logs/setup-api.s1.log',
      },
      'api.s1: setting up the worktree (1 command(s))',
    ],
    [
      {
        type: 'setup.finished',
        stage: 'api',
        session: 'api.s1',
        copied: [],
        results: [],
        passed: false,
        error: 'cannot read .worktreeinclude',
      },
      'api.s1: setup failed (cannot read .worktreeinclude)',
    ],
  ])('%j → %s, the same live and replayed', (body, words) => {
    expect(describeNewEvent(ev(body))).toBe(words);
    expect(describeEvent({}, ev(body), {} as FluxState)).toBe(words);
  });
});
