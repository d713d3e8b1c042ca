/**
 * A crash can stop an append at any byte. Whatever byte the log is cut at,
 * reading it must give back exactly the events whose lines are whole, report
 * the rest as torn, and never fail or change an event; the next append must
 * cut the torn bytes (keeping them) and continue the seq.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/log/append.js';
import type { FluxEvent, NewEvent } from '../../src/log/events.js';
import { readLog } from '../../src/log/read.js';
import { tempWorkDir, working } from './log-fixtures.js';

/** Text that needs 1 to 4 bytes per character, quotes, backslashes and control characters included. */
const text = fc.string({ unit: 'binary', maxLength: 12 });
const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 6 });

const newEvent: fc.Arbitrary<NewEvent> = fc.oneof(
  id.map((session) => ({ type: 'session.working' as const, session })),
  fc.record({ stage: id, reason: text }).map((e) => ({ type: 'stage.blocked' as const, ...e })),
  fc.record({ session: id, percent: fc.double({ min: 0, max: 100, noNaN: true }) }).map((e) => ({
    type: 'session.context' as const,
    ...e,
  })),
  fc
    .record({ session: id, tool: text, detail: text })
    .map((e) => ({ type: 'session.waiting_permission' as const, ...e })),
  fc.record({ stage: id, session: fc.option(id, { nil: undefined }), handoff: text }).map((e) => {
    const { session, ...rest } = e;
    return {
      type: 'stage.handoff_requested' as const,
      ...rest,
      ...(session === undefined ? {} : { session }),
    };
  }),
);

/** Byte offsets just past each line's `\n`. */
function lineEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) ends.push(i + 1);
  return ends;
}

function expectPrefix(cutPath: string, full: Buffer, stored: FluxEvent[], cut: number): number {
  const ends = lineEnds(full);
  const whole = ends.filter((end) => end <= cut).length;
  const complete = whole === 0 ? 0 : (ends[whole - 1] as number);
  const read = readLog(cutPath);
  expect(read.events).toEqual(stored.slice(0, whole));
  expect(read.endOffset).toBe(complete);
  expect(read.lastSeq).toBe(whole);
  expect(read.torn).toEqual(
    complete === cut ? null : { offset: complete, text: full.toString('utf8', complete, cut) },
  );
  return whole;
}

describe('a log cut at any byte', () => {
  it('reads back exactly the whole lines before the cut (every offset of each log)', () => {
    const { workDir } = tempWorkDir();
    fc.assert(
      fc.property(fc.array(newEvent, { minLength: 1, maxLength: 6 }), (events) => {
        const logPath = path.join(workDir, 'full.jsonl');
        const cutPath = path.join(workDir, 'cut.jsonl');
        fs.rmSync(logPath, { force: true });
        const stored = appendEvents(logPath, events);
        const full = fs.readFileSync(logPath);
        for (let cut = 0; cut <= full.length; cut += 1) {
          fs.writeFileSync(cutPath, full.subarray(0, cut));
          expectPrefix(cutPath, full, stored, cut);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('is repaired by the next append, which keeps the torn bytes', () => {
    fc.assert(
      fc.property(
        fc.array(newEvent, { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (events, where) => {
          const { workDir, logPath } = tempWorkDir();
          const stored = appendEvents(logPath, events);
          const full = fs.readFileSync(logPath);
          const cut = Math.floor(where * full.length);
          fs.writeFileSync(logPath, full.subarray(0, cut));
          const whole = expectPrefix(logPath, full, stored, cut);

          const [next] = appendEvents(logPath, [working('after-crash')]);
          expect(next?.seq).toBe(whole + 1);
          const after = readLog(logPath);
          expect(after.events).toEqual([...stored.slice(0, whole), next]);
          expect(after.torn).toBeNull();

          const logsDir = path.join(workDir, 'logs');
          const saved = fs.existsSync(logsDir) ? fs.readdirSync(logsDir) : [];
          const tornBytes = full.subarray(
            lineEnds(full)
              .filter((end) => end <= cut)
              .at(-1) ?? 0,
            cut,
          );
          if (tornBytes.length === 0) {
            expect(saved).toEqual([]);
          } else {
            expect(saved).toHaveLength(1);
            expect(fs.readFileSync(path.join(logsDir, saved[0] as string)).equals(tornBytes)).toBe(true);
          }
          fs.rmSync(workDir, { recursive: true, force: true });
        },
      ),
      { numRuns: 100 },
    );
  });
});
