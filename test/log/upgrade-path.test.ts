/**
 * Old lines go through upgradeEvent before validation. Every event type is at
 * v1 today, so this stands in a v0 → v1 step to prove the path is taken.
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { line, payloads, tempWorkDir, working } from './log-fixtures.js';

vi.mock('../../src/log/upgrade.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/log/upgrade.js')>();
  return {
    ...original,
    // v0 of session.working called its field `sid`.
    upgradeEvent: (raw: Record<string, unknown>) => {
      if (raw.type !== 'session.working' || raw.v !== 0) return original.upgradeEvent(raw);
      const { sid, ...rest } = raw;
      return { ...rest, v: 1, session: sid };
    },
  };
});

const v0Line = (seq: number, sid: string) =>
  `${JSON.stringify({ v: 0, seq, at: '2020-01-01T00:00:00.000Z', type: 'session.working', sid })}\n`;

// The setup file loaded the log modules before this mock existed: load them afresh.
let readLog: typeof import('../../src/log/read.js').readLog;
let readLastSeq: typeof import('../../src/log/read.js').readLastSeq;
let appendEvents: typeof import('../../src/log/append.js').appendEvents;
beforeAll(async () => {
  vi.resetModules();
  await import('../../src/log/codec.js');
  ({ readLog, readLastSeq } = await import('../../src/log/read.js'));
  ({ appendEvents } = await import('../../src/log/append.js'));
});

describe('reading an older log', () => {
  it('upgrades old lines to the current schema', () => {
    const { logPath } = tempWorkDir();
    fs.writeFileSync(logPath, v0Line(1, 'old') + line(2, working('new')));
    const { events } = readLog(logPath);
    expect(events[0]).toEqual({
      v: 1,
      seq: 1,
      at: '2020-01-01T00:00:00.000Z',
      type: 'session.working',
      session: 'old',
    });
    expect(payloads(events)).toEqual([working('old'), working('new')]);
  });

  it('appends after an old last line, which it reads through the upgrade too', () => {
    const { logPath } = tempWorkDir();
    fs.writeFileSync(logPath, v0Line(1, 'old'));
    expect(readLastSeq(logPath)).toBe(1);
    expect(appendEvents(logPath, [working('x')])[0]).toMatchObject({ v: 1, seq: 2 });
    // Old lines stay as they were written: the log is append-only.
    expect(fs.readFileSync(logPath, 'utf8').startsWith(v0Line(1, 'old'))).toBe(true);
  });

  it('still rejects an old line no upgrade knows', () => {
    const { logPath } = tempWorkDir();
    fs.writeFileSync(
      logPath,
      JSON.stringify({ v: 0, seq: 1, at: 'x', type: 'stage.ready', stage: 'a' }) + '\n',
    );
    expect(() => readLog(logPath)).toThrow(/line 1: not a valid event: v/);
  });
});
