/**
 * `flux budget <stage> [--usd N] [--minutes N] [--tokens N]` (or `--plan`):
 * a person raises a budget, recorded as `budget.raised {by: human}`, and a
 * stage that waited on it goes on from its handoff. Without a limit it shows
 * what is spent and what holds. For people only (docs/security.md): an agent
 * must not raise its own budget.
 */
import { decideRaise } from '../../engine/budget-raise.js';
import {
  budgetUses,
  formatAmount,
  planLimits,
  planSpend,
  stageLimits,
  stageSpend,
  type Spend,
} from '../../engine/budget.js';
import { requireStage } from '../../engine/lookup.js';
import { Runtime } from '../../engine/runtime.js';
import type { FluxState } from '../../engine/state.js';
import { UsageError } from '../../errors.js';
import type { Budget } from '../../plan/types.js';
import { carryOnAndSay } from '../carry-on.js';
import { humanActor } from '../human-only.js';
import { print } from '../output.js';

export interface BudgetOptions {
  usd?: number;
  minutes?: number;
  tokens?: number;
  plan?: boolean;
  start?: boolean;
}

/** `$1.02 of $2.00 · 3.1 min (no limit) · 41k tokens of 2.0M tokens`. */
function describe(spend: Spend, limits: Budget): string {
  const uses = budgetUses(spend, limits);
  const parts = (['usd', 'minutes', 'tokens'] as const).map((kind) => {
    const spent = spend[kind];
    const shown = spent === null ? '—' : formatAmount(kind, spent);
    const use = uses.find((u) => u.kind === kind);
    return use === undefined ? `${shown} (no limit)` : `${shown} of ${formatAmount(kind, use.limit)}`;
  });
  return parts.join(' · ');
}

function summary(state: FluxState, target: string | null, defaults: Budget, now: number): string {
  return target === null
    ? `the plan: ${describe(planSpend(state, now), planLimits(state))}`
    : `${target}: ${describe(stageSpend(state, target, now), stageLimits(state, target, defaults))}`;
}

export async function run(stage: string | undefined, options: BudgetOptions): Promise<number> {
  if ((stage === undefined) === (options.plan !== true))
    throw new UsageError(
      stage === undefined
        ? 'name a stage, or --plan for the plan-wide budget'
        : 'a stage or --plan, not both',
      'e.g. `flux budget stage-2-api --usd 5` or `flux budget --plan --usd 50`',
    );
  const target = stage ?? null;
  const limits: Budget = {
    ...(options.usd === undefined ? {} : { usd: options.usd }),
    ...(options.minutes === undefined ? {} : { minutes: options.minutes }),
    ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
  };
  const runtime = Runtime.open();
  const defaults = runtime.config.budget;
  if (Object.keys(limits).length === 0) {
    const state = runtime.engine.load();
    if (target !== null) requireStage(state, target);
    print(summary(state, target, defaults, Date.now()));
    return 0;
  }
  const { state } = runtime.engine.commit((current) =>
    decideRaise(current, target, limits, humanActor(), Date.now()),
  );
  print(summary(state, target, defaults, Date.now()));
  await carryOnAndSay(runtime, options);
  return 0;
}
