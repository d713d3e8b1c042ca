/**
 * `flux budget`: a person sets new limits for a stage or the plan (pure).
 * A limit at or under what is spent already would leave the stage waiting
 * as it is: it is refused, naming the spend, rather than recorded.
 */
import { RefusedError } from '../errors.js';
import type { Budget } from '../plan/types.js';
import { BUDGET_KINDS, formatAmount, planSpend, stageSpend, type BudgetKind, type Spend } from './budget.js';
import { settle, type Decision } from './decide.js';
import { requireStage } from './lookup.js';
import type { FluxState } from './state.js';

/** The limits given, in the fixed order, only those given. */
function given(limits: Budget): [BudgetKind, number][] {
  return BUDGET_KINDS.flatMap((kind) => (limits[kind] === undefined ? [] : [[kind, limits[kind]!]]));
}

function refuseSpent(who: string, target: string | null, spend: Spend, limits: Budget): void {
  for (const [kind, limit] of given(limits)) {
    const spent = spend[kind] ?? 0;
    if (limit > spent) continue;
    const more = kind === 'tokens' ? Math.floor(spent) + 1 : Math.ceil((spent + 0.01) * 100) / 100;
    throw new RefusedError(
      `${who} has spent ${formatAmount(kind, spent)} already: a ${kind} budget of ${formatAmount(kind, limit)} would be reached as it is`,
      `give more than that, e.g. \`flux budget ${target ?? '--plan'} --${kind} ${more}\``,
    );
  }
}

/** `target` null is the plan-wide budget. `by` comes from the human-only check. */
export function decideRaise(
  state: FluxState,
  target: string | null,
  limits: Budget,
  by: 'human',
  now: number,
): Decision {
  if (target === null) {
    if (state.plan === null)
      throw new RefusedError('there is no plan to budget', 'run `flux init <plan-path>` first');
    refuseSpent('the plan', null, planSpend(state, now), limits);
  } else {
    const stage = requireStage(state, target);
    if (stage.status === 'merged')
      throw new RefusedError(
        `${stage.id} is merged: it spends nothing more`,
        'a budget is for a stage still at work',
      );
    refuseSpent(stage.id, target, stageSpend(state, stage.id, now), limits);
  }
  return settle(state, [
    {
      type: 'budget.raised',
      ...(target === null ? {} : { stage: target }),
      ...Object.fromEntries(given(limits)),
      by,
    },
  ]);
}
