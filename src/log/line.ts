/**
 * One event ⇄ one line, without the schemas: the JSON framing shared by every
 * reader and writer, and the codec in force.
 *
 * Two codecs exist. `codec.ts` validates every line against the zod schemas
 * and installs itself when imported: every command does that. The agent hook
 * path cannot afford zod's load time (docs/hooks.md), so it installs
 * `trustedCodec`, which checks the envelope only, for the few lines it reads
 * and the session events it writes. With no codec installed, reading or
 * writing fails loudly rather than falling back to no checks.
 */
import type { FluxEvent, NewEvent } from './events.js';
import { CURRENT_EVENT_VERSION, upgradeEvent } from './upgrade.js';

/** What is wrong with one line; the reader turns it into a LogDamagedError naming the line. */
export class LineProblem extends Error {}

export interface EventCodec {
  /** A line (without its `\n`) → an event; throws LineProblem. */
  decode(text: string): FluxEvent;
  /** New events with their envelope (`v`, `seq`, `at`), checked before they reach the disk. */
  stamp(events: readonly NewEvent[], firstSeq: number, at: string): FluxEvent[];
}

let installed: EventCodec | undefined;

export function installCodec(codec: EventCodec): void {
  installed = codec;
}

export function eventCodec(): EventCodec {
  if (installed === undefined) throw new Error('no event codec installed: import src/log/codec.js');
  return installed;
}

/**
 * The JSON object of a line, brought up to the current event versions, with
 * its envelope (`v`, `seq`, `at`, `type`) checked. Both codecs go through
 * here, so a line that is not an event reads the same in every process.
 */
export function parseLine(text: string): Record<string, unknown> {
  // JSON.parse takes a `\r` for white space; the log's lines end in `\n` alone.
  if (text.includes('\r')) {
    throw new LineProblem(
      'holds a carriage return (\\r): log lines end in \\n alone (was the file converted to CRLF line endings?)',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LineProblem(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LineProblem('not a JSON object');
  const record = raw as Record<string, unknown>;
  const { v, type } = record;
  if (typeof v === 'number' && v > CURRENT_EVENT_VERSION) {
    throw new LineProblem(
      `${String(type)} event of version ${v}, written by a newer Flux (this one reads up to version ${CURRENT_EVENT_VERSION})`,
    );
  }
  const upgraded = upgradeEvent(record);
  checkEnvelope(upgraded);
  return upgraded;
}

function checkEnvelope(raw: Record<string, unknown>): void {
  const { v, seq, at, type } = raw;
  const invalid = (field: string, wanted: string, got: unknown): LineProblem =>
    new LineProblem(`not a valid event: ${field} must be ${wanted}, got ${JSON.stringify(got) ?? 'nothing'}`);
  if (v !== CURRENT_EVENT_VERSION) throw invalid('v', `the event version (${CURRENT_EVENT_VERSION})`, v);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    throw invalid('seq', 'a whole number of 1 or more', seq);
  if (typeof at !== 'string') throw invalid('at', 'a time (string)', at);
  if (typeof type !== 'string') throw invalid('type', 'an event type (string)', type);
}

export function encodeEvent(event: FluxEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export function stampEnvelope(
  events: readonly NewEvent[],
  firstSeq: number,
  at: string,
): Record<string, unknown>[] {
  return events.map((event, index) => {
    const { v: _v, seq: _seq, at: _at, ...payload } = event as Record<string, unknown>;
    return { v: 1, seq: firstSeq + index, at, ...payload };
  });
}

/** Envelope checks only (parseLine): the events' own fields were checked by TypeScript where they were built. */
export const trustedCodec: EventCodec = {
  decode(text) {
    return parseLine(text) as unknown as FluxEvent;
  },
  stamp(events, firstSeq, at) {
    return stampEnvelope(events, firstSeq, at) as unknown as FluxEvent[];
  },
};
