/**
 * What the agents have cost so far: each session's last `session.cost`
 * figure (its status line's `cost.total_cost_usd`, docs/budgets.md), added
 * up; with none the cost is unknown (null), shown as "—". One place, so the
 * source can change without touching the views.
 */
import { formatAmount, stageSpend } from '../../engine/budget.js';
import type { FluxState, SessionState } from '../../engine/state.js';

/** A session's cost in US dollars, when the state knows it. */
export function sessionCost(session: SessionState): number | null {
  const cost = session.costUsd;
  return typeof cost === 'number' && Number.isFinite(cost) ? cost : null;
}

function sum(sessions: Iterable<SessionState>): number | null {
  let total: number | null = null;
  for (const session of sessions) {
    const cost = sessionCost(session);
    if (cost !== null) total = (total ?? 0) + cost;
  }
  return total;
}

/** Every session's cost added up; null when no session has one. */
export function totalCost(state: FluxState): number | null {
  return sum(Object.values(state.sessions));
}

/** The cost of one stage's sessions (as its budget counts it); null when none has one. */
export function stageCost(state: FluxState, stage: string): number | null {
  return stageSpend(state, stage, Date.now()).usd;
}

/** `$1.23`, or `—` when unknown. */
export function formatCost(cost: number | null): string {
  return cost === null ? '—' : formatAmount('usd', cost);
}
