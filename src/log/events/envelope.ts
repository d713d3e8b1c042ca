/**
 * What every event schema is built from: the envelope each line carries
 * (`v`, `seq`, `at`), the ids, the `by: human` mark of a person's decision,
 * and `event()`, which puts a type and its payload in the envelope.
 */
import { z } from 'zod';

export const stageId = z.string().min(1);
export const sessionId = z.string().min(1);

const envelope = {
  v: z.literal(1),
  seq: z.number().int().positive(),
  /** ISO-8601 UTC time of the append. */
  at: z.string(),
};

/**
 * On the events a person's decision records (`flux verify`, `flux stage`,
 * `flux approve`, …): written only after the human-only check passed
 * (src/cli/human-only.ts). Absent in logs written before it was recorded.
 */
export const byHuman = z.literal('human').optional();

export function event<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ ...envelope, type: z.literal(type), ...shape });
}
