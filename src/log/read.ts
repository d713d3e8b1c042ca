/**
 * Reading the event log. A torn final line (a crash mid-append) is cut off
 * and reported; damage anywhere before it is a LogDamagedError naming the
 * line, never skipped. Safe without the lock: only `\n`-terminated lines
 * count, and complete lines are never rewritten.
 */
import fs from 'node:fs';
import { asIoError, LogDamagedError } from '../errors.js';
import type { FluxEvent } from './events.js';
import { eventCodec, LineProblem } from './line.js';
import { damagedLine } from './damage.js';
import { byteAt, completeEnd, isNewline, lineEndingAt, readAt } from './tail.js';

export interface ReadLogOptions {
  /** Start at this byte offset, which must be the start of a line (an `endOffset` from an earlier read). */
  fromOffset?: number;
  /**
   * The 1-based number of the line at `fromOffset`, which is also the seq it
   * must carry. Counted from the file when omitted.
   */
  fromLine?: number;
}

/** Bytes after the last `\n`: an append that never finished. */
export interface TornTail {
  /** Where the torn bytes start; the log's complete part ends here. */
  offset: number;
  text: string;
}

export interface LogRead {
  events: FluxEvent[];
  /** Just past the last complete line: where the next read continues. */
  endOffset: number;
  /** The seq of the last complete line (fromLine - 1 when no event was read). */
  lastSeq: number;
  torn: TornTail | null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readLog(logPath: string, opts: ReadLogOptions = {}): LogRead {
  const fromOffset = opts.fromOffset ?? 0;
  const bytes = readFrom(logPath, fromOffset);
  const firstLine = opts.fromLine ?? (fromOffset === 0 ? 1 : countLines(logPath, fromOffset) + 1);
  const completeLength = bytes.lastIndexOf(0x0a) + 1;
  const events = decodeLines(logPath, bytes.subarray(0, completeLength), fromOffset, firstLine);
  const torn =
    completeLength < bytes.length
      ? { offset: fromOffset + completeLength, text: bytes.toString('utf8', completeLength) }
      : null;
  return { events, endOffset: fromOffset + completeLength, lastSeq: firstLine - 1 + events.length, torn };
}

/** The seq of the last complete line, read backwards from the end; 0 for an empty or missing log. */
export function readLastSeq(logPath: string): number {
  let fd: number;
  try {
    fd = fs.openSync(logPath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw asIoError(err, { action: 'read', path: logPath });
  }
  try {
    return lastSeqOf(fd, logPath, completeEnd(fd, fs.fstatSync(fd).size));
  } finally {
    fs.closeSync(fd);
  }
}

/** The seq of the line ending at `end` (0 when `end` is 0), checked like any other line. */
export function lastSeqOf(fd: number, logPath: string, end: number): number {
  if (end === 0) return 0;
  try {
    return eventCodec().decode(lineEndingAt(fd, end).bytes.toString('utf8')).seq;
  } catch (err) {
    if (!(err instanceof LineProblem)) throw err;
    // Rare: read the whole file for an error that names the line.
    readLog(logPath);
    throw new LogDamagedError(`${logPath}: the last line is damaged (${err.message})`);
  }
}

function decodeLines(logPath: string, bytes: Buffer, baseOffset: number, firstLine: number): FluxEvent[] {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw firstInvalidUtf8Line(logPath, bytes, baseOffset, firstLine);
  }
  const { decode } = eventCodec();
  const events: FluxEvent[] = [];
  let line = firstLine;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const lineText = text.slice(start, end);
    let event: FluxEvent;
    try {
      event = decode(lineText);
    } catch (err) {
      if (!(err instanceof LineProblem)) throw err;
      throw damagedLine(logPath, line, offsetOf(text, start, baseOffset), lineText, err.message);
    }
    if (event.seq !== line) {
      const problem = `seq ${event.seq} where ${line} was expected (seq must count up from 1, one per line)`;
      throw damagedLine(logPath, line, offsetOf(text, start, baseOffset), lineText, problem);
    }
    events.push(event);
    line += 1;
    start = end + 1;
  }
  return events;
}

/** Byte offset of a character position: only computed on the error path. */
function offsetOf(text: string, charIndex: number, baseOffset: number): number {
  return baseOffset + Buffer.byteLength(text.slice(0, charIndex));
}

function firstInvalidUtf8Line(
  logPath: string,
  bytes: Buffer,
  baseOffset: number,
  firstLine: number,
): LogDamagedError {
  let line = firstLine;
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    try {
      strictUtf8.decode(bytes.subarray(start, end));
    } catch {
      const text = bytes.toString('utf8', start, end);
      return damagedLine(logPath, line, baseOffset + start, text, 'not valid UTF-8');
    }
    line += 1;
    start = end + 1;
  }
  return new LogDamagedError(`${logPath}: not valid UTF-8`);
}

/** Everything from `fromOffset` to the end; checks `fromOffset` is a line start in this file. */
function readFrom(logPath: string, fromOffset: number): Buffer {
  try {
    return readFromOpen(logPath, fromOffset);
  } catch (err) {
    throw asIoError(err, { action: 'read', path: logPath });
  }
}

function readFromOpen(logPath: string, fromOffset: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(logPath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (fromOffset > 0) throw shrunk(logPath, fromOffset, 0);
    return Buffer.alloc(0);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < fromOffset) throw shrunk(logPath, fromOffset, size);
    if (fromOffset > 0 && !isNewline(byteAt(fd, fromOffset - 1))) {
      throw new LogDamagedError(
        `${logPath}: byte ${fromOffset} is no longer the start of a line; the log was replaced or rewritten`,
        undefined,
        'run the command again',
      );
    }
    const bytes = Buffer.allocUnsafe(size - fromOffset);
    return bytes.subarray(0, readAt(fd, bytes, fromOffset, bytes.length));
  } finally {
    fs.closeSync(fd);
  }
}

function shrunk(logPath: string, expected: number, size: number): LogDamagedError {
  return new LogDamagedError(
    `${logPath} is ${size} bytes, shorter than the ${expected} already read; it was truncated or replaced`,
    undefined,
    'run the command again',
  );
}

/** Lines before `offset`, for a read that starts mid-file without being told its line number. */
function countLines(logPath: string, offset: number): number {
  const fd = fs.openSync(logPath, 'r');
  try {
    const bytes = Buffer.allocUnsafe(offset);
    const prefix = bytes.subarray(0, readAt(fd, bytes, 0, offset));
    let count = 0;
    for (let i = prefix.indexOf(0x0a); i >= 0; i = prefix.indexOf(0x0a, i + 1)) count += 1;
    return count;
  } finally {
    fs.closeSync(fd);
  }
}
