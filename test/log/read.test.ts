import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LogDamagedError } from '../../src/errors.js';
import { appendEvents } from '../../src/log/append.js';
import { readLastSeq, readLog } from '../../src/log/read.js';
import { blocked, captureError, line, payloads, tempWorkDir, working, writeLines } from './log-fixtures.js';

function damage(logPath: string, opts?: Parameters<typeof readLog>[1]): LogDamagedError {
  const error = captureError(() => readLog(logPath, opts));
  expect(error).toBeInstanceOf(LogDamagedError);
  return error as LogDamagedError;
}

describe('readLog', () => {
  it('reads a missing log as empty', () => {
    const { logPath } = tempWorkDir();
    expect(readLog(logPath)).toEqual({ events: [], endOffset: 0, lastSeq: 0, torn: null });
    expect(readLastSeq(logPath)).toBe(0);
  });

  it('reads every event, upgraded and validated', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [working('a'), blocked('x', 'r')]);
    const read = readLog(logPath);
    expect(payloads(read.events)).toEqual([working('a'), blocked('x', 'r')]);
    expect(read).toMatchObject({ endOffset: fs.statSync(logPath).size, lastSeq: 2, torn: null });
  });

  it('cuts off and reports a torn final line, keeping everything before it', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2), '{"v":1,"seq":3,"at');
    const read = readLog(logPath);
    expect(read.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(read.endOffset).toBe(line(1).length + line(2).length);
    expect(read.torn).toEqual({ offset: read.endOffset, text: '{"v":1,"seq":3,"at' });
    expect(fs.readFileSync(logPath, 'utf8')).toContain('"seq":3'); // reading never changes the file
  });

  it('treats a final line without its newline as torn even when it parses', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2).trimEnd());
    expect(readLog(logPath).torn?.text).toBe(line(2).trimEnd());
    expect(readLastSeq(logPath)).toBe(1);
  });

  it('names the line of bad JSON in the middle, with an excerpt and how to recover', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2), '{"v":1,"seq":3,broken\n', line(4));
    const error = damage(logPath);
    expect(error.line).toBe(3);
    expect(error.exitCode).toBe(4);
    expect(error.message).toMatch(/line 3: not valid JSON/);
    expect(error.hint).toContain('{\\"v\\":1,\\"seq\\":3,broken');
    expect(error.hint).toContain(`truncate -s ${line(1).length + line(2).length} ${logPath}`);
    expect(error.hint).toMatch(/keep events 1–2/);
  });

  it('treats an unparseable last line that has its newline as damage, not as torn', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), 'garbage\n');
    expect(damage(logPath).line).toBe(2);
  });

  it('rejects an empty line', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), '\n', line(2));
    expect(damage(logPath).line).toBe(2);
  });

  it('rejects a line that fails its schema, naming the field', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2, { type: 'session.context', session: 's', percent: 200 } as never));
    const error = damage(logPath);
    expect(error.message).toMatch(/line 2: not a valid event: percent/);
  });

  it('rejects an unknown event type and a non-object line', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1, { type: 'stage.exploded', stage: 'a' } as never));
    expect(damage(logPath).message).toMatch(/line 1: not a valid event/);
    writeLines(logPath, '[1,2]\n');
    expect(damage(logPath).message).toMatch(/line 1: not a JSON object/);
  });

  it('says so when an event comes from a newer Flux', () => {
    const { logPath } = tempWorkDir();
    writeLines(
      logPath,
      line(1),
      JSON.stringify({ v: 2, seq: 2, at: 'x', type: 'session.working', s: 1 }) + '\n',
    );
    expect(damage(logPath).message).toMatch(
      /line 2: session.working event of version 2, written by a newer Flux/,
    );
  });

  it('refuses a line ending in \\r\\n (CRLF) as damage, naming it: lines end in \\n only', () => {
    const { logPath } = tempWorkDir();
    const crlf = line(2).replace(/\n$/, '\r\n');
    writeLines(logPath, line(1), crlf, line(3));
    const error = damage(logPath);
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/line 2: .*carriage return/);
    expect(error.hint).toContain(`truncate -s ${line(1).length} ${logPath}`);
  });

  it('refuses a CRLF last line too, and never appends after it', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2).replace(/\n$/, '\r\n'));
    const before = fs.readFileSync(logPath);
    expect(damage(logPath).line).toBe(2);
    expect(captureError(() => readLastSeq(logPath))).toBeInstanceOf(LogDamagedError);
    expect(captureError(() => appendEvents(logPath, [working('a')]))).toBeInstanceOf(LogDamagedError);
    expect(fs.readFileSync(logPath)).toEqual(before);
  });

  it('requires seq to count up from 1, one per line', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(2));
    expect(damage(logPath).message).toMatch(/line 1: seq 2 where 1 was expected/);
    writeLines(logPath, line(1), line(2), line(4), line(5));
    expect(damage(logPath).line).toBe(3);
    writeLines(logPath, line(1), line(2), line(2));
    expect(damage(logPath).message).toMatch(/line 3: seq 2 where 3/);
  });

  it('rejects invalid UTF-8 before the last line', () => {
    const { logPath } = tempWorkDir();
    const bad = Buffer.from(line(2, blocked('a', 'XX')));
    bad[bad.indexOf('XX')] = 0xff;
    fs.writeFileSync(logPath, Buffer.concat([Buffer.from(line(1)), bad, Buffer.from(line(3))]));
    const error = damage(logPath);
    expect(error.message).toMatch(/line 2: not valid UTF-8/);
  });

  it('continues from an offset, counting lines from there', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [working('a'), working('b')]);
    const first = readLog(logPath);
    appendEvents(logPath, [working('c')]);
    const next = readLog(logPath, { fromOffset: first.endOffset, fromLine: 3 });
    expect(payloads(next.events)).toEqual([working('c')]);
    expect(next.lastSeq).toBe(3);
    // Without fromLine the line number is counted from the file.
    expect(readLog(logPath, { fromOffset: first.endOffset }).events[0]?.seq).toBe(3);
    // Nothing new: an empty read that keeps its place.
    const end = readLog(logPath, { fromOffset: next.endOffset, fromLine: 4 });
    expect(end).toEqual({ events: [], endOffset: next.endOffset, lastSeq: 3, torn: null });
  });

  it('names damage after an offset by its line number in the file', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2), 'bad\n');
    expect(damage(logPath, { fromOffset: line(1).length, fromLine: 2 }).line).toBe(3);
  });

  it('notices a log that shrank or was rewritten under a reader', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2));
    expect(damage(logPath, { fromOffset: 10_000, fromLine: 3 }).message).toMatch(/shorter than/);
    expect(damage(logPath, { fromOffset: 5, fromLine: 2 }).message).toMatch(/no longer the start of a line/);
  });
});

describe('readLastSeq', () => {
  it('reads the last seq from the end, ignoring a torn tail', () => {
    const { logPath } = tempWorkDir();
    appendEvents(
      logPath,
      Array.from({ length: 300 }, (_, i) => blocked('a', 'x'.repeat(i * 7))),
    );
    expect(readLastSeq(logPath)).toBe(300);
    fs.appendFileSync(logPath, '{"v":1,"seq":301');
    expect(readLastSeq(logPath)).toBe(300);
  });

  it('reads a last line longer than its read-back chunk', () => {
    const { logPath } = tempWorkDir();
    appendEvents(logPath, [working('a'), blocked('a', 'y'.repeat(50_000))]);
    expect(readLastSeq(logPath)).toBe(2);
  });

  it('reports a damaged last line by its number', () => {
    const { logPath } = tempWorkDir();
    writeLines(logPath, line(1), line(2), '{nope}\n');
    const error = captureError(() => readLastSeq(logPath));
    expect(error).toBeInstanceOf(LogDamagedError);
    expect((error as LogDamagedError).line).toBe(3);
  });
});
