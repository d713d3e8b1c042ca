import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogDamagedError } from '../../src/errors.js';
import { appendEvents, appendUnderLock, withOpenLog } from '../../src/log/append.js';
import { InvalidEventError } from '../../src/log/codec.js';
import type { NewEvent } from '../../src/log/events.js';
import { readLog } from '../../src/log/read.js';
import {
  blocked,
  captureError,
  FIXED_NOW,
  line,
  payloads,
  tempWorkDir,
  working,
  writeLines,
} from './log-fixtures.js';

describe('appendEvents', () => {
  it('creates the log and stamps v, seq from 1 and at', () => {
    const { logPath } = tempWorkDir();
    const stored = appendEvents(logPath, [working('s1'), blocked('a', 'why')], FIXED_NOW);
    expect(stored).toEqual([
      { v: 1, seq: 1, at: '2025-01-02T03:04:05.678Z', type: 'session.working', session: 's1' },
      { v: 1, seq: 2, at: '2025-01-02T03:04:05.678Z', type: 'stage.blocked', stage: 'a', reason: 'why' },
    ]);
    expect(fs.readFileSync(logPath, 'utf8')).toBe(line(1, working('s1')) + line(2, blocked('a', 'why')));
  });

  it('writes the envelope first on every line', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [{ type: 'stage.ready', stage: 'x' }]);
    expect(fs.readFileSync(logPath, 'utf8')).toMatch(/^\{"v":1,"seq":1,"at":"[^"]+","type":"stage.ready",/);
  });

  it('continues seq after what is already there', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [working('a')]);
    appendEvents(logPath, [working('b'), working('c')]);
    const stored = appendEvents(logPath, [working('d')]);
    expect(stored[0]?.seq).toBe(4);
    expect(readLog(logPath).events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('writes nothing, not even the file, for an empty batch', () => {
    const { logPath } = tempWorkDir();
    expect(appendEvents(logPath, [])).toEqual([]);
    expect(fs.existsSync(logPath)).toBe(false);
  });

  it('refuses an invalid event before writing any of the batch', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [working('a')]);
    const bad = { type: 'session.context', session: 's', percent: 140 } as NewEvent;
    expect(() => appendEvents(logPath, [working('b'), bad])).toThrow(InvalidEventError);
    expect(() => appendEvents(logPath, [working('b'), bad])).toThrow(/session.context.*percent/);
    expect(readLog(logPath).events).toHaveLength(1);
  });

  it('ignores envelope fields a caller passes and drops unknown keys', () => {
    const { logPath } = tempWorkDir();
    const sneaky = { ...working('a'), seq: 99, v: 7, at: 'then', extra: true } as unknown as NewEvent;
    const [stored] = appendEvents(logPath, [sneaky], FIXED_NOW);
    expect(stored).toEqual({
      v: 1,
      seq: 1,
      at: FIXED_NOW().toISOString(),
      type: 'session.working',
      session: 'a',
    });
  });

  it('cuts a torn tail, saves its bytes in logs/ and continues from the last whole line', () => {
    const { workDir, logPath } = tempWorkDir();
    const torn = '{"v":1,"seq":3,"at":"2025-01-0';
    writeLines(logPath, line(1), line(2), torn);
    const [stored] = appendEvents(logPath, [working('next')], FIXED_NOW);
    expect(stored?.seq).toBe(3);
    expect(fs.readFileSync(logPath, 'utf8')).toBe(line(1) + line(2) + line(3, working('next')));
    const saved = fs.readdirSync(path.join(workDir, 'logs'));
    expect(saved).toEqual(['torn-2025-01-02T03-04-05.678Z.txt']);
    expect(fs.readFileSync(path.join(workDir, 'logs', saved[0] as string), 'utf8')).toBe(torn);
  });

  it('treats a whole file without a newline as torn', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1).trimEnd());
    expect(appendEvents(logPath, [working('x')])[0]?.seq).toBe(1);
  });

  it('never overwrites an earlier torn file', () => {
    const { workDir, logPath } = tempWorkDir();
    writeLines(logPath, 'torn one');
    appendEvents(logPath, [working('a')], FIXED_NOW);
    fs.appendFileSync(logPath, 'torn two');
    appendEvents(logPath, [working('b')], FIXED_NOW);
    const dir = path.join(workDir, 'logs');
    const contents = fs.readdirSync(dir).map((name) => fs.readFileSync(path.join(dir, name), 'utf8'));
    expect(contents.sort()).toEqual(['torn one', 'torn two']);
  });

  it('refuses to append after a damaged last line', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), '{"v":1,"seq":2,"oops"}\n');
    const error = captureError(() => appendEvents(logPath, [working('a')]));
    expect(error).toBeInstanceOf(LogDamagedError);
    expect((error as LogDamagedError).line).toBe(2);
    expect(fs.readFileSync(logPath, 'utf8')).toBe(line(1) + '{"v":1,"seq":2,"oops"}\n');
  });

  it('lets a caller read, decide and append within one hold of the lock', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [working('a')]);
    const stored = withOpenLog(logPath, (log) => {
      expect(log).toMatchObject({ lastSeq: 1, size: fs.statSync(logPath).size, repairedTail: null });
      const first = appendUnderLock(log, [working(`after-${log.lastSeq}`)]);
      const second = appendUnderLock(log, [working(`after-${log.lastSeq}`)]);
      return [...first, ...second];
    });
    expect(stored.map((e) => e.seq)).toEqual([2, 3]);
    expect(payloads(readLog(logPath).events)).toEqual([working('a'), working('after-1'), working('after-2')]);
  });

  it('reports the repaired tail to a caller holding the log', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), 'half');
    const repaired = withOpenLog(logPath, (log) => log.repairedTail, { now: FIXED_NOW });
    expect(repaired).toMatchObject({ offset: line(1).length, bytes: 4 });
    expect(repaired?.savedTo).toMatch(/logs[/\\]torn-2025-01-02T03-04-05\.678Z\.txt$/);
  });

  it('keeps non-ASCII text intact', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [blocked('a', 'naïve — 日本語 🚀')]);
    expect(readLog(logPath).events[0]).toMatchObject({ reason: 'naïve — 日本語 🚀' });
  });
});
