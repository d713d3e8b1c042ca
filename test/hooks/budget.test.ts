/**
 * Budgets on the hook path, as given-events / when-hook / then-events-and-answer
 * specifications: what the status line's cost records (only a changed figure,
 * at most every COST_EVENT_INTERVAL_MS unless a limit's 80% or 100% is
 * crossed), and the Stop that follows a spent budget.
 */
import { describe, expect, it } from 'vitest';
import type { HookName } from '../../src/agents/protocol.js';
import { settle } from '../../src/engine/decide.js';
import { nextHandoffPath } from '../../src/engine/signal.js';
import {
  COST_EVENT_INTERVAL_MS,
  decideHook,
  type HookDecision,
  type HookSettings,
} from '../../src/hooks/decide.js';
import { HookInputError, parseHookInput, type HookInput } from '../../src/hooks/input.js';
import type { NewEvent } from '../../src/log/events.js';
import type { Budget } from '../../src/plan/types.js';
import { fold, plan, stageDef } from '../engine/spec.js';

const S = 'api.s1';
/** Every given event is stamped at this time (test/engine/spec.ts). */
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function started(budget?: Budget): NewEvent[] {
  return [
    {
      type: 'plan.initialized',
      plan: plan([stageDef('api', [], budget === undefined ? {} : { budget })]),
      base_branch: 'main',
    },
    { type: 'stage.ready', stage: 'api' },
    { type: 'stage.started', stage: 'api', session: S },
    { type: 'session.started', session: S, stage: 'api', agent: 'sim', tmux: 'flux-api' },
    { type: 'session.working', session: S },
  ];
}
const cost = (usd: number, tokens?: number): NewEvent => ({
  type: 'session.cost',
  session: S,
  usd,
  ...(tokens === undefined ? {} : { tokens }),
});

function hook(
  events: NewEvent[],
  name: HookName,
  input: HookInput,
  now: number,
  settings: HookSettings = { threshold: 75, reminders: 3 },
): HookDecision {
  const state = fold(events);
  const handoff = nextHandoffPath(state.stages.api!);
  const decision = decideHook(state, S, name, input, settings, handoff, { now });
  expect(settle(state, decision.events).events).toEqual(decision.events);
  return decision;
}

const status = (usd: number, input = 0, output = 0): HookInput => ({
  cost: { total_cost_usd: usd },
  context_window: { total_input_tokens: input, total_output_tokens: output },
});

function blockReason(answer: string | null): string {
  const parsed = JSON.parse(answer ?? 'null') as { decision: string; reason: string };
  expect(parsed.decision).toBe('block');
  return parsed.reason;
}

describe('StatusLine: the spend', () => {
  it('records the first figure, with input and output tokens added up', () => {
    expect(hook(started(), 'StatusLine', status(0.12, 24_000, 300), T0).events).toEqual([
      { type: 'session.cost', session: S, usd: 0.12, tokens: 24_300 },
    ]);
  });

  it('records nothing before anything is spent', () => {
    expect(hook(started(), 'StatusLine', status(0, 0, 0), T0).events).toEqual([]);
  });

  it('records nothing when the figure did not change (an idle tick)', () => {
    const later = T0 + 60_000;
    expect(
      hook([...started(), cost(0.12, 24_300)], 'StatusLine', status(0.12, 24_000, 300), later).events,
    ).toEqual([]);
  });

  it('holds a changed figure back within the interval, and records it after', () => {
    const given = [...started(), cost(0.12, 24_300)];
    expect(
      hook(given, 'StatusLine', status(0.2, 40_000, 400), T0 + COST_EVENT_INTERVAL_MS - 1).events,
    ).toEqual([]);
    expect(hook(given, 'StatusLine', status(0.2, 40_000, 400), T0 + COST_EVENT_INTERVAL_MS).events).toEqual([
      cost(0.2, 40_400),
    ]);
  });

  it('records at once a figure that crosses 80% or 100% of a limit', () => {
    const given = [...started({ usd: 1 }), cost(0.5)];
    const soon = T0 + 100;
    expect(hook(given, 'StatusLine', status(0.7), soon).events).toEqual([]);
    expect(hook(given, 'StatusLine', status(0.85), soon).events).toEqual([cost(0.85, 0)]);
    expect(hook([...started({ usd: 1 }), cost(0.85)], 'StatusLine', status(0.9), soon).events).toEqual([]);
    expect(hook([...started({ usd: 1 }), cost(0.85)], 'StatusLine', status(1.01), soon).events).toEqual([
      cost(1.01, 0),
    ]);
  });

  it('a default from the config counts as a limit too', () => {
    const settings = { threshold: 75, reminders: 3, budget: { usd: 1 } };
    expect(hook([...started(), cost(0.5)], 'StatusLine', status(0.81), T0 + 100, settings).events).toEqual([
      cost(0.81, 0),
    ]);
  });

  it('ignores a cost that is not a figure (negative, not finite)', () => {
    expect(hook(started(), 'StatusLine', { cost: { total_cost_usd: -1 } }, T0).events).toEqual([]);
    expect(hook(started(), 'StatusLine', { cost: { total_cost_usd: null } }, T0).events).toEqual([]);
  });

  it('refuses a cost of the wrong type in the input', () => {
    expect(() => parseHookInput('{"cost": {"total_cost_usd": "1.2"}}')).toThrow(HookInputError);
    expect(() => parseHookInput('{"cost": 3}')).toThrow(/cost must be an object/);
    expect(() => parseHookInput('{"context_window": {"total_input_tokens": "9"}}')).toThrow(
      /total_input_tokens must be a number or null/,
    );
  });
});

describe('Stop: a spent budget', () => {
  it('records the budget reached, hands off for it, and tells the session to commit and stop', () => {
    const decision = hook([...started({ usd: 1 }), cost(1.2)], 'Stop', {}, T0 + 1000);
    expect(decision.events).toEqual([
      { type: 'budget.reached', stage: 'api', kind: 'usd', spent: 1.2, limit: 1 },
      { type: 'session.handing_off', session: S, trigger: 'budget' },
    ]);
    const reason = blockReason(decision.answer);
    expect(reason).toContain('This stage has reached its budget ($1.20 of $1.00)');
    expect(reason).toContain('write .work/handoffs/api-handoff-001.md');
    expect(reason).toContain('Commit your work, then run `flux handoff` and stop.');
  });

  it('does not record the same limit reached twice', () => {
    const given = [
      ...started({ usd: 1 }),
      cost(1.2),
      { type: 'budget.reached', stage: 'api', kind: 'usd', spent: 1.1, limit: 1 } as NewEvent,
    ];
    expect(hook(given, 'Stop', {}, T0 + 1000).events).toEqual([
      { type: 'session.handing_off', session: S, trigger: 'budget' },
    ]);
  });

  it('counts wall time for minutes: 31 minutes into a 30-minute default', () => {
    const settings = { threshold: 75, reminders: 3, budget: { minutes: 30 } };
    const decision = hook(started(), 'Stop', {}, T0 + 31 * 60_000, settings);
    expect(decision.events[0]).toEqual({
      type: 'budget.reached',
      stage: 'api',
      kind: 'minutes',
      spent: 31,
      limit: 30,
    });
    expect(blockReason(decision.answer)).toContain('(31 min of 30 min)');
  });

  it('a raise by a person lets the next Stop go on as before', () => {
    const given = [
      ...started({ usd: 1 }),
      cost(1.2),
      { type: 'budget.raised', stage: 'api', usd: 5, by: 'human' } as NewEvent,
    ];
    const decision = hook(given, 'Stop', {}, T0 + 1000);
    expect(decision.events).toEqual([{ type: 'session.reminded', session: S }]);
    expect(blockReason(decision.answer)).toContain('not done yet');
  });

  it('below the limit, a Stop is what it always was', () => {
    expect(hook([...started({ usd: 1 }), cost(0.99)], 'Stop', {}, T0 + 1000).events).toEqual([
      { type: 'session.reminded', session: S },
    ]);
  });
});
