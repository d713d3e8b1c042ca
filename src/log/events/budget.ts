/**
 * Budgets (docs/budgets.md): the shape of a budget, shared with the plan's
 * snapshot, and the two events of its own: a limit reached, and a person's
 * raise. What a session spends is a session event (`session.cost`).
 */
import { z } from 'zod';
import { byHuman, event, stageId } from './envelope.js';

/** A budget: any of US dollars, minutes of session wall time, tokens. */
export const budgetSchema = z
  .object({
    usd: z.number().positive().optional(),
    minutes: z.number().positive().optional(),
    tokens: z.number().int().positive().optional(),
  })
  .strict();

/** What a budget limits: its three kinds. */
export const budgetKind = z.enum(['usd', 'minutes', 'tokens']);

/**
 * A stage's (or, without `stage`, the plan's) spend reached a budget. The
 * stage then waits on a person: no new session starts for it (the plan's: no
 * new session starts at all) until `flux budget` raises it.
 */
export const budgetReached = event('budget.reached', {
  stage: stageId.optional(),
  kind: budgetKind,
  spent: z.number().nonnegative(),
  limit: z.number().positive(),
});

/** `flux budget`: a person set a new limit for a stage (or, without `stage`, the plan). */
export const budgetRaised = event('budget.raised', {
  stage: stageId.optional(),
  usd: z.number().positive().optional(),
  minutes: z.number().positive().optional(),
  tokens: z.number().int().positive().optional(),
  by: byHuman,
});

export type BudgetKind = z.infer<typeof budgetKind>;
