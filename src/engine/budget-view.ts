/**
 * The budget parts of what `flux status` shows (views.ts): a row's spend,
 * the limits that hold for it, and the pointer for a stage that waits on a
 * spent budget.
 */
import {
  budgetHold,
  describeUse,
  raiseCommand,
  round,
  stageLimits,
  stageSpend,
  type BudgetCheck,
  type Spend,
} from './budget.js';
import type { FluxState } from './state.js';
import type { Attention, StageRow } from './views.js';

/** Statuses in which a spent budget keeps a stage from going on. */
const BUDGET_HOLDS: ReadonlySet<string> = new Set([
  'ready',
  'running',
  'needs_handoff',
  'rejected',
  'failed',
]);

/** A stage that waits because its budget (or the plan's) is spent: `flux budget` lets it go on. */
export function budgetAttention(row: Pick<StageRow, 'id' | 'status' | 'budget_reached'>): Attention | null {
  const reached = row.budget_reached;
  if (reached === null || !BUDGET_HOLDS.has(row.status)) return null;
  const use = { kind: reached.kind, spent: reached.spent, limit: reached.limit };
  return reached.scope === 'stage'
    ? { stage: row.id, what: `budget reached: ${describeUse(use)}`, command: raiseCommand(row.id, use.kind) }
    : {
        stage: row.id,
        what: `the plan's budget is reached (${describeUse(use)}): no new session starts`,
        command: raiseCommand(null, use.kind),
      };
}

/** The spend figures of a row: dollars and tokens rounded for people and JSON alike. */
export function spendFields(spend: Spend): Pick<StageRow, 'cost_usd' | 'tokens' | 'minutes'> {
  return {
    cost_usd: spend.usd === null ? null : round(spend.usd),
    tokens: spend.tokens,
    minutes: Number(spend.minutes.toFixed(2)),
  };
}

/** A stage's (or task's) spend, limits and whether a spent budget holds it. */
export function budgetFields(
  state: FluxState,
  id: string,
  check: BudgetCheck,
): Pick<StageRow, 'cost_usd' | 'tokens' | 'minutes' | 'budget' | 'budget_reached'> {
  const hold = budgetHold(state, state.stages[id]!, check.defaults, check.now);
  return {
    ...spendFields(stageSpend(state, id, check.now)),
    budget: stageLimits(state, id, check.defaults),
    budget_reached:
      hold === null
        ? null
        : { scope: hold.scope, kind: hold.use.kind, spent: round(hold.use.spent), limit: hold.use.limit },
  };
}
