/**
 * Budgets in the engine, as given-events / when / then-events: spend summed
 * from the log (a crash or a handoff keeps it), the scheduler holding back a
 * stage whose budget (or the plan's) is spent, the notices at 80% and 100%,
 * and a person's raise.
 */
import { describe, expect, it } from 'vitest';
import { decideRaise } from '../../src/engine/budget-raise.js';
import { defaultConfigToml, parseConfig } from '../../src/engine/config.js';
import { planSpend, stageLimits, stageSpend } from '../../src/engine/budget.js';
import { dueNotices } from '../../src/engine/notify.js';
import { decideStarts } from '../../src/engine/scheduler.js';
import type { NewEvent } from '../../src/log/events.js';
import type { Budget } from '../../src/plan/types.js';
import { fold, given, plan, stageDef } from './spec.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const OPTIONS = { maxParallel: 4, agent: 'command', sessionPrefix: 'flux-', now: T0 };

function planned(stageBudget?: Budget, planBudget?: Budget): NewEvent[] {
  const p = plan([
    stageDef('a', [], stageBudget === undefined ? {} : { budget: stageBudget }),
    stageDef('b'),
  ]);
  return [
    {
      type: 'plan.initialized',
      plan: planBudget === undefined ? p : { ...p, budget: planBudget },
      base_branch: 'main',
    },
    { type: 'stage.ready', stage: 'a' },
    { type: 'stage.ready', stage: 'b' },
  ];
}
const session = (n: number): NewEvent[] => [
  { type: 'stage.started', stage: 'a', session: `a.s${n}` },
  { type: 'session.started', session: `a.s${n}`, stage: 'a', agent: 'command', tmux: 'flux-a' },
];
const cost = (n: number, usd: number, tokens?: number): NewEvent => ({
  type: 'session.cost',
  session: `a.s${n}`,
  usd,
  ...(tokens === undefined ? {} : { tokens }),
});
const handedOff: NewEvent[] = [
  { type: 'stage.handoff_requested', stage: 'a', session: 'a.s1', handoff: 'handoffs/a-handoff-001.md' },
  { type: 'session.ended', session: 'a.s1', reason: 'handed off' },
];

describe('spend, from the log', () => {
  it("is each session's last figure, summed over every session the stage had (a crash keeps it)", () => {
    const state = fold([
      ...planned(),
      ...session(1),
      cost(1, 0.4, 1000),
      cost(1, 0.7, 2000),
      { type: 'session.crashed', session: 'a.s1', reason: 'the agent was killed by signal 9' },
      ...session(2),
      cost(2, 0.25, 500),
    ]);
    const spend = stageSpend(state, 'a', T0);
    expect(spend.usd).toBeCloseTo(0.95, 9);
    expect(spend.tokens).toBe(2500);
    expect(planSpend(state, T0).usd).toBeCloseTo(0.95, 9);
    expect(stageSpend(state, 'b', T0)).toEqual({ usd: null, minutes: 0, tokens: null });
  });

  it("counts minutes as the sessions' wall time, to now while one is alive", () => {
    const state = fold([...planned(), ...session(1)]);
    expect(stageSpend(state, 'a', T0 + 90_000).minutes).toBeCloseTo(1.5, 9);
  });

  it('takes the limits from the config, then the plan, then a person', () => {
    const state = fold([
      ...planned({ usd: 2 }),
      { type: 'budget.raised', stage: 'a', tokens: 9000, by: 'human' },
    ]);
    expect(stageLimits(state, 'a', { usd: 1, minutes: 30, tokens: 0 })).toEqual({
      usd: 2,
      minutes: 30,
      tokens: 9000,
    });
    expect(stageLimits(state, 'b', { usd: 0, minutes: 0, tokens: 0 })).toEqual({});
  });
});

describe('the scheduler and a spent budget', () => {
  const spent = [...planned({ usd: 1 }), ...session(1), cost(1, 1.1), ...handedOff];

  it('starts no session for a stage whose budget is spent; it records the budget reached', () => {
    given(spent)
      .when((state) => decideStarts(state, { ...OPTIONS, only: 'a' }))
      .then([{ type: 'budget.reached', stage: 'a', kind: 'usd', spent: 1.1, limit: 1 }]);
  });

  it('records it once', () => {
    given([...spent, { type: 'budget.reached', stage: 'a', kind: 'usd', spent: 1.1, limit: 1 }])
      .when((state) => decideStarts(state, { ...OPTIONS, only: 'a' }))
      .then([]);
  });

  it('after a raise, the stage continues from its handoff', () => {
    const decision = given([...spent, { type: 'budget.raised', stage: 'a', usd: 3, by: 'human' }])
      .when((state) => decideStarts(state, { ...OPTIONS, only: 'a' }))
      .then([
        { type: 'stage.started', stage: 'a', session: 'a.s2' },
        {
          type: 'session.started',
          session: 'a.s2',
          stage: 'a',
          agent: 'command',
          tmux: 'flux-a',
          handoff: 'handoffs/a-handoff-001.md',
        },
      ]);
    expect(decision.effects.map((e) => e.type)).toContain('launchSession');
  });

  it('a spent plan budget stops every new start, and is recorded without a stage', () => {
    given([...planned(undefined, { usd: 0.5 }), ...session(1), cost(1, 0.6)])
      .when((state) => decideStarts(state, OPTIONS))
      .then([{ type: 'budget.reached', kind: 'usd', spent: 0.6, limit: 0.5 }]);
  });

  it('a plan raise lets them start again', () => {
    const decision = given([
      ...planned(undefined, { usd: 0.5 }),
      ...session(1),
      cost(1, 0.6),
      { type: 'budget.raised', usd: 5, by: 'human' },
    ]).when((state) => decideStarts(state, OPTIONS));
    const events = decision.then(expect.anything() as unknown as NewEvent[]).events;
    expect(
      events.filter((e) => e.type === 'stage.started').map((e) => ('stage' in e ? e.stage : '')),
    ).toEqual(['b']);
  });
});

describe('notices', () => {
  const check = { defaults: {}, now: T0 };

  it('tells at 80%, then when reached, once each', () => {
    const at85 = fold([...planned({ usd: 1 }), ...session(1), cost(1, 0.85)]);
    const told = dueNotices(at85, 3, check).filter((n) => n.kind === 'budget');
    expect(told).toEqual([
      {
        key: 'budget:a:usd:1:80',
        kind: 'budget',
        stage: 'a',
        title: 'a has spent 85% of its budget',
        message: '$0.85 of $1.00 (flux budget a --usd N raises it)',
      },
    ]);
    const sent: NewEvent = { type: 'notification.sent', ...told[0]! };
    const again = fold([...planned({ usd: 1 }), ...session(1), cost(1, 0.85), sent]);
    expect(dueNotices(again, 3, check).filter((n) => n.kind === 'budget')).toEqual([]);
    const reached = fold([...planned({ usd: 1 }), ...session(1), cost(1, 0.85), sent, cost(1, 1.05)]);
    expect(dueNotices(reached, 3, check).filter((n) => n.kind === 'budget')).toEqual([
      expect.objectContaining({ key: 'budget:a:usd:1:reached', title: 'a reached its budget' }),
    ]);
  });

  it("tells of the plan's budget", () => {
    const state = fold([...planned(undefined, { usd: 1 }), ...session(1), cost(1, 1.5)]);
    expect(dueNotices(state, 3, check).filter((n) => n.kind === 'budget')).toEqual([
      expect.objectContaining({
        key: 'budget:-plan:usd:1:reached',
        title: 'the plan reached its budget',
        message: '$1.50 of $1.00: no new session starts (flux budget --plan --usd N)',
      }),
    ]);
  });
});

describe('flux budget, the decision', () => {
  const spent = [...planned({ usd: 1 }), ...session(1), cost(1, 1.1)];

  it('records the raise by a person', () => {
    given(spent)
      .when((state) => decideRaise(state, 'a', { usd: 2, minutes: 60 }, 'human', T0))
      .then([{ type: 'budget.raised', stage: 'a', usd: 2, minutes: 60, by: 'human' }]);
  });

  it('refuses a limit at or under the spend, naming it', () => {
    given(spent)
      .when((state) => decideRaise(state, 'a', { usd: 1.1 }, 'human', T0))
      .thenRefused(/a has spent \$1\.10 already: a usd budget of \$1\.10 would be reached as it is/);
  });

  it('refuses an unknown stage and a merged one', () => {
    given(spent)
      .when((state) => decideRaise(state, 'nope', { usd: 2 }, 'human', T0))
      .thenRefused(/no stage 'nope'/);
    given([
      ...planned(),
      { type: 'stage.completed', stage: 'a', forced: true },
      { type: 'stage.verified', stage: 'a', by: 'human' },
      { type: 'stage.merged', stage: 'a', commit: null },
    ])
      .when((state) => decideRaise(state, 'a', { usd: 2 }, 'human', T0))
      .thenRefused(/a is merged/);
  });
});

describe('[budget] in .work/config.toml', () => {
  const toml = defaultConfigToml('doc/plans/PLAN.md', 'main');

  it('defaults to no limit, and reads the ones set', () => {
    expect(parseConfig(toml, 'config.toml').budget).toEqual({ usd: 0, minutes: 0, tokens: 0 });
    const set = toml.replace(/^usd = 0$/m, 'usd = 2.5').replace(/^tokens = 0$/m, 'tokens = 900000');
    expect(parseConfig(set, 'config.toml').budget).toEqual({ usd: 2.5, minutes: 0, tokens: 900_000 });
  });

  it('refuses a negative limit or a string, naming the setting', () => {
    expect(() => parseConfig(toml.replace(/^usd = 0$/m, 'usd = -1'), 'config.toml')).toThrow(
      /config\.toml: budget\.usd: /,
    );
    expect(() => parseConfig(toml.replace(/^minutes = 0$/m, 'minutes = "90"'), 'config.toml')).toThrow(
      /budget\.minutes/,
    );
  });
});
