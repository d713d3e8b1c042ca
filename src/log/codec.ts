/**
 * One event ⇄ one line of the log. Decoding brings old versions up to date
 * (upgrade.ts) and validates; encoding stamps the envelope and validates, so
 * a malformed event is a thrown bug, never a line on disk.
 */
import type { z } from 'zod';
import { fluxEventSchema, type FluxEvent, type NewEvent } from './events.js';
import { installCodec, LineProblem, parseLine, stampEnvelope, type EventCodec } from './line.js';

export { LineProblem } from './line.js';

/** An event that fails its schema was about to be appended: a bug in the caller. */
export class InvalidEventError extends Error {
  constructor(type: string, error: z.ZodError) {
    super(`refusing to append an invalid ${type} event: ${describeIssues(error)}`);
    this.name = 'InvalidEventError';
  }
}

export function decodeLine(text: string): FluxEvent {
  const result = fluxEventSchema.safeParse(parseLine(text));
  if (result.success) return result.data;
  throw new LineProblem(`not a valid event: ${describeIssues(result.error)}`);
}

/**
 * Gives new events their envelope (`v`, `seq` from `firstSeq` on, `at`) and
 * validates them. The parsed output is what gets stored: its keys come in
 * schema order, so every line starts `{"v":…,"seq":…,"at":…,"type":…`.
 */
export function stampEvents(events: readonly NewEvent[], firstSeq: number, at: string): FluxEvent[] {
  return stampEnvelope(events, firstSeq, at).map((stamped) => {
    const result = fluxEventSchema.safeParse(stamped);
    if (!result.success) throw new InvalidEventError(String(stamped.type), result.error);
    return result.data;
  });
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`))
    .join('; ');
}

/** Validates every line read and every event written against the zod schemas. */
export const validatingCodec: EventCodec = { decode: decodeLine, stamp: stampEvents };

installCodec(validatingCodec);
