/**
 * Budgets (docs/budgets.md), pure and zod-free (the hook path uses them):
 * what a stage and the plan have spent, summed from the log's events, the
 * limits that apply, and whether one is near or reached.
 *
 * Spend is never kept anywhere but the log: a session's figures are the last
 * `session.cost` it recorded, a stage's are its sessions' added up (every
 * session it ever had, so a restart, a handoff or a crash keeps what was
 * spent), the plan's are its stages'. Minutes are wall time: each session
 * from its start to its end (or `now`, while it is alive).
 */
import type { BudgetKind } from '../log/events.js';
import type { Budget } from '../plan/types.js';
import type { FluxState, SessionState, StageState } from './state.js';

export type { BudgetKind };

export const BUDGET_KINDS: readonly BudgetKind[] = ['usd', 'minutes', 'tokens'];

/** A person is told when a spend reaches this share of a limit. */
export const WARN_SHARE = 0.8;

export interface Spend {
  /** null: no session has reported a cost. */
  usd: number | null;
  minutes: number;
  /** null: no session has reported tokens. */
  tokens: number | null;
}

/** One limit and how much of it is spent. */
export interface BudgetUse {
  kind: BudgetKind;
  spent: number;
  limit: number;
}

/** The `[budget]` defaults of .work/config.toml, 0 (or absent) meaning no limit. */
export type BudgetDefaults = Budget;

/** What a decision needs to know of budgets besides the log: the config's defaults and the time. */
export interface BudgetCheck {
  defaults: BudgetDefaults;
  /** Milliseconds since the epoch. */
  now: number;
}

const MINUTE_MS = 60_000;

/** A session's wall time in minutes: from its start to its end, or to `now` while alive. */
export function sessionMinutes(session: SessionState, now: number): number {
  const start = Date.parse(session.startedAt);
  const end = session.endedAt === null ? now : Date.parse(session.endedAt);
  return Number.isFinite(start) && Number.isFinite(end) && end > start ? (end - start) / MINUTE_MS : 0;
}

function addUp(sessions: Iterable<SessionState>, now: number): Spend {
  const spend: Spend = { usd: null, minutes: 0, tokens: null };
  for (const session of sessions) {
    const usd = session.costUsd ?? null;
    const tokens = session.tokens ?? null;
    if (usd !== null) spend.usd = (spend.usd ?? 0) + usd;
    if (tokens !== null) spend.tokens = (spend.tokens ?? 0) + tokens;
    spend.minutes += sessionMinutes(session, now);
  }
  return spend;
}

function sessionsOf(state: FluxState, stage: StageState): SessionState[] {
  return stage.sessions.map((id) => state.sessions[id]).filter((s): s is SessionState => s !== undefined);
}

/** What a stage's sessions have spent, all of them. */
export function stageSpend(state: FluxState, stageId: string, now: number): Spend {
  const stage = state.stages[stageId];
  return addUp(stage === undefined ? [] : sessionsOf(state, stage), now);
}

/** What the plan's stages have spent (ad hoc tasks are not the plan's). */
export function planSpend(state: FluxState, now: number): Spend {
  return addUp(
    state.order.flatMap((id) => {
      const stage = state.stages[id];
      return stage === undefined ? [] : sessionsOf(state, stage);
    }),
    now,
  );
}

/** Only the limits that limit: positive finite numbers. */
function limitsOnly(budget: Budget | undefined): Budget {
  const out: Budget = {};
  for (const kind of BUDGET_KINDS) {
    const value = budget?.[kind];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[kind] = value;
  }
  return out;
}

/**
 * The limits that hold for a stage: the config's defaults, under the stage's
 * own `budget` in the plan, under what a person set with `flux budget`.
 */
export function stageLimits(state: FluxState, stageId: string, defaults: BudgetDefaults): Budget {
  const stage = state.stages[stageId];
  return {
    ...limitsOnly(defaults),
    ...limitsOnly(stage?.def.budget),
    ...limitsOnly(stage?.budget?.raised),
  };
}

/** The plan-wide limits: the plan's `budget`, under what a person set with `flux budget --plan`. */
export function planLimits(state: FluxState): Budget {
  return { ...limitsOnly(state.plan?.budget), ...limitsOnly(state.planBudget?.raised) };
}

/** Each limit set, with what is spent of it (a kind nothing reported counts 0). */
export function budgetUses(spend: Spend, limits: Budget): BudgetUse[] {
  return BUDGET_KINDS.filter((kind) => limits[kind] !== undefined).map((kind) => ({
    kind,
    spent: spend[kind] ?? 0,
    limit: limits[kind]!,
  }));
}

/** The first limit spent in full, or null. */
export function reachedUse(spend: Spend, limits: Budget): BudgetUse | null {
  return budgetUses(spend, limits).find((use) => use.spent >= use.limit) ?? null;
}

/** Whether a stage's own budget is spent (its limit, and what was spent of it), or null. */
export function stageBudgetReached(
  state: FluxState,
  stageId: string,
  defaults: BudgetDefaults,
  now: number,
): BudgetUse | null {
  return reachedUse(stageSpend(state, stageId, now), stageLimits(state, stageId, defaults));
}

/** Whether the plan's budget is spent, or null. */
export function planBudgetReached(state: FluxState, now: number): BudgetUse | null {
  return reachedUse(planSpend(state, now), planLimits(state));
}

/** Why no new session may start for a stage now: its own budget or the plan's is spent; null when one may. */
export function budgetHold(
  state: FluxState,
  stage: StageState,
  defaults: BudgetDefaults,
  now: number,
): { scope: 'stage' | 'plan'; use: BudgetUse } | null {
  const own = stageBudgetReached(state, stage.id, defaults, now);
  if (own !== null) return { scope: 'stage', use: own };
  if (stage.kind === 'task') return null;
  const plan = planBudgetReached(state, now);
  return plan === null ? null : { scope: 'plan', use: plan };
}

/** `$1.23`, `42 min`, `1.2M tokens`: a figure of a kind, for people. */
export function formatAmount(kind: BudgetKind, value: number): string {
  switch (kind) {
    case 'usd':
      return value >= 100 ? `$${Math.round(value)}` : `$${value.toFixed(2)}`;
    case 'minutes':
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} min`;
    case 'tokens':
      return value >= 1_000_000
        ? `${(value / 1_000_000).toFixed(1)}M tokens`
        : value >= 1000
          ? `${Math.round(value / 1000)}k tokens`
          : `${Math.round(value)} tokens`;
  }
}

/** `$1.02 of $1.00`. */
export function describeUse(use: BudgetUse): string {
  return `${formatAmount(use.kind, use.spent)} of ${formatAmount(use.kind, use.limit)}`;
}

/** The command that raises a limit: `flux budget s1 --usd N` (`--plan` for the plan's). */
export function raiseCommand(scope: string | null, kind: BudgetKind): string {
  return `flux budget ${scope === null ? '--plan' : scope} --${kind} N`;
}

/**
 * The `budget.reached` to record for a stage (or the plan, `stage` absent)
 * whose limit is spent, unless that very limit is already recorded as reached.
 */
export function reachedEvent(
  recorded: { kind: BudgetKind; limit: number } | null | undefined,
  use: BudgetUse,
  stage: string | undefined,
): { type: 'budget.reached'; stage?: string; kind: BudgetKind; spent: number; limit: number } | null {
  if (
    recorded !== null &&
    recorded !== undefined &&
    recorded.kind === use.kind &&
    recorded.limit === use.limit
  )
    return null;
  return {
    type: 'budget.reached',
    ...(stage === undefined ? {} : { stage }),
    kind: use.kind,
    spent: round(use.spent),
    limit: use.limit,
  };
}

/** Six decimals: a dollar figure's cents and a minute's milliseconds, without float noise in the log. */
export function round(value: number): number {
  return Number(value.toFixed(6));
}
