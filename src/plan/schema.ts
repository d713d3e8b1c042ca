/**
 * The shape of the metadata YAML. Objects are strict so that a misspelt field
 * is an error instead of being silently ignored. Rules that need more than
 * the shape (ids, globs, dependencies) live in `checks.ts`.
 */
import { z } from 'zod';

/** `budget: {usd, minutes, tokens}`, each optional and above 0 (docs/budgets.md). */
export const budgetSchema = z
  .object({
    usd: z.number().positive().optional(),
    minutes: z.number().positive().optional(),
    tokens: z.number().int().positive().optional(),
  })
  .strict();

export const BUDGET_FIELDS: readonly string[] = Object.keys(budgetSchema.shape);

export const stageSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().default(''),
    dependencies: z.array(z.string()).default([]),
    parallel_group: z.string().optional(),
    acceptance: z.array(z.string()).default([]),
    files: z.array(z.string()).default([]),
    gate: z.enum(['human', 'auto']).default('human'),
    setup: z.array(z.string()).optional(),
    estimate: z.number().positive().optional(),
    budget: budgetSchema.optional(),
  })
  .strict();

export const fluxSchema = z
  .object({
    version: z.literal(1),
    setup: z.array(z.string()).optional(),
    stages: z.array(stageSchema).min(1),
    budget: budgetSchema.optional(),
    /** Plan-level checks: run on every merged tree before the base branch moves (docs/merge-queue.md). */
    acceptance: z.array(z.string()).default([]),
  })
  .strict();

export const metadataSchema = z.object({ flux: fluxSchema }).strict();

export type ParsedStage = z.infer<typeof stageSchema>;

export const STAGE_FIELDS: readonly string[] = Object.keys(stageSchema.shape);
export const FLUX_KEYS: readonly string[] = Object.keys(fluxSchema.shape);

/** What each stage field must hold, completing "must be ...". */
export const FIELD_EXPECTATIONS: Readonly<Record<string, string>> = {
  id: 'a string',
  name: 'a string',
  description: 'a string',
  dependencies: 'a list of stage ids',
  parallel_group: 'a string',
  acceptance: 'a list of shell commands',
  files: 'a list of glob patterns',
  gate: '`human` or `auto`',
  setup: 'a list of shell commands',
  estimate: 'a positive number of minutes',
  budget: 'a mapping of `usd`, `minutes` and `tokens`',
};

/** What each budget field must hold, completing "must be ...". */
export const BUDGET_EXPECTATIONS: Readonly<Record<string, string>> = {
  usd: 'a number of US dollars above 0',
  minutes: 'a number of minutes above 0',
  tokens: 'a whole number of tokens above 0',
};
