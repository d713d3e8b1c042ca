/**
 * The plan's events: the plan as recorded when `flux init` runs (every
 * stage's definition, so the log replays without the plan file) and when a
 * changed plan replaces it.
 */
import { z } from 'zod';
import { budgetSchema } from './budget.js';
import { event, stageId } from './envelope.js';

export const stageDefSchema = z.object({
  id: stageId,
  name: z.string(),
  description: z.string(),
  dependencies: z.array(stageId),
  parallel_group: z.string().optional(),
  acceptance: z.array(z.string()),
  files: z.array(z.string()),
  gate: z.enum(['human', 'auto']),
  /** Absent in logs written before worktree setup existed, and when the stage has none. */
  setup: z.array(z.string()).optional(),
  estimate: z.number().positive().optional(),
  budget: budgetSchema.optional(),
});

export const planSnapshotSchema = z.object({
  path: z.string(),
  title: z.string(),
  version: z.literal(1),
  /** The plan-level setup commands; absent when none. */
  setup: z.array(z.string()).optional(),
  stages: z.array(stageDefSchema),
  /** Plan-level checks (`flux: acceptance:`); absent when the plan has none. */
  acceptance: z.array(z.string()).optional(),
  hash: z.string(),
  /** The plan-wide budget (`flux: budget:`); absent when the plan has none. */
  budget: budgetSchema.optional(),
});

export const planInitialized = event('plan.initialized', {
  plan: planSnapshotSchema,
  /** The branch stages fork from and merge into; null when HEAD was detached or not in git. */
  base_branch: z.string().nullable(),
});

/** `flux init --force` with a changed plan. Stage ids are listed for the record. */
export const planUpdated = event('plan.updated', {
  plan: planSnapshotSchema,
  added: z.array(stageId),
  removed: z.array(stageId),
  changed: z.array(stageId),
});
