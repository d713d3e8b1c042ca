/**
 * The shape of the metadata YAML. Objects are strict so that a misspelt field
 * is an error instead of being silently ignored. Rules that need more than
 * the shape (ids, globs, dependencies) live in `checks.ts`.
 */
import { z } from 'zod';

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
  })
  .strict();

export const fluxSchema = z
  .object({
    version: z.literal(1),
    stages: z.array(stageSchema).min(1),
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
};
