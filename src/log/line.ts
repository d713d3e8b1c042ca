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
import { upgradeEvent } from './upgrade.js';

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

/** JSON object of the line, brought up to the current event versions. */
export function parseLine(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LineProblem(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LineProblem('not a JSON object');
  return upgradeEvent(raw as Record<string, unknown>);
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

/** Envelope checks only: the events' own fields were checked by TypeScript where they were built. */
export const trustedCodec: EventCodec = {
  decode(text) {
    const raw = parseLine(text);
    if (typeof raw.seq !== 'number' || typeof raw.type !== 'string' || raw.v !== 1) {
      throw new LineProblem('not an event (v, seq or type missing)');
    }
    return raw as unknown as FluxEvent;
  },
  stamp(events, firstSeq, at) {
    return stampEnvelope(events, firstSeq, at) as unknown as FluxEvent[];
  },
};
