/** Folding a budget's events (docs/budgets.md) into its record: a limit reached, a person's raise. */
import type { EventOf } from '../log/events.js';
import type { BudgetState } from './state.js';

export function foldBudgetEvent(
  budget: BudgetState,
  event: EventOf<'budget.reached'> | EventOf<'budget.raised'>,
): void {
  if (event.type === 'budget.reached') {
    budget.reached = { kind: event.kind, spent: event.spent, limit: event.limit };
    return;
  }
  for (const kind of ['usd', 'minutes', 'tokens'] as const) {
    const limit = event[kind];
    if (limit !== undefined) budget.raised[kind] = limit;
  }
  // Whether another of its limits still holds is for the next decision to find.
  budget.reached = null;
}
