/**
 * Appending to the event log. Every append holds the log's lock, so appends
 * from any number of processes are serialised; each event is one write(2)
 * of one whole `\n`-terminated line, and a batch is made durable with one
 * fsync before the call returns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { asIoError, WorkspaceIoError } from '../errors.js';
import type { FluxEvent, NewEvent } from './events.js';
import { encodeEvent, eventCodec } from './line.js';
import { fsyncDir, writeFully } from './durable.js';
import { withLock, type LockOptions } from './lock.js';
import { lockPathFor, logsDirFor } from './paths.js';
import { lastSeqOf } from './read.js';
import { completeEnd, readAt } from './tail.js';
import { saveTornBytes } from './torn.js';

/** The log, open for appending while its lock is held. */
export interface OpenLog {
  readonly path: string;
  readonly fd: number;
  /** The file's size, always just past a `\n` (or 0). */
  size: number;
  lastSeq: number;
  /** The torn tail cut off when the log was opened, if there was one. */
  readonly repairedTail: RepairedTail | null;
}

export interface RepairedTail {
  /** Where the torn bytes started (the log's size now). */
  offset: number;
  bytes: number;
  /** Where they were saved: `.work/logs/torn-<time>.txt`. */
  savedTo: string;
}

export interface AppendOptions {
  lock?: LockOptions;
}

export function appendEvents(
  logPath: string,
  events: readonly NewEvent[],
  now: () => Date = () => new Date(),
  opts: AppendOptions = {},
): FluxEvent[] {
  if (events.length === 0) return [];
  return withOpenLog(logPath, (log) => appendUnderLock(log, events, now), { ...opts, now });
}

/**
 * Holds the lock, opens the log (creating it, or cutting a torn tail) and
 * hands it to `fn`, which can read what others appended, decide, and call
 * appendUnderLock, all within one hold of the lock.
 */
export function withOpenLog<T>(
  logPath: string,
  fn: (log: OpenLog) => T,
  opts: AppendOptions & { now?: () => Date } = {},
): T {
  let log: OpenLog | undefined;
  try {
    return withLock(
      lockPathFor(logPath),
      () => {
        log = openLog(logPath, opts.now ?? (() => new Date()));
        try {
          return fn(log);
        } finally {
          fs.closeSync(log.fd);
        }
      },
      opts.lock,
    );
  } catch (err) {
    // Failing to take the lock or to open the log comes before anything is written.
    if (err instanceof WorkspaceIoError && log === undefined) throw err.withOutcome(NOTHING_RECORDED);
    throw err;
  }
}

const NOTHING_RECORDED = 'nothing was recorded';

export function appendUnderLock(
  log: OpenLog,
  events: readonly NewEvent[],
  now: () => Date = () => new Date(),
): FluxEvent[] {
  const stored = eventCodec().stamp(events, log.lastSeq + 1, now().toISOString());
  writeEvents(log, stored);
  return stored;
}

/**
 * Writes events already stamped by stampEvents (seq must follow the log's
 * last). All or nothing short of a crash: if any write or the fsync fails,
 * the batch is cut off again before the error is thrown.
 */
export function writeEvents(log: OpenLog, stored: readonly FluxEvent[]): void {
  stored.forEach((event, index) => {
    if (event.seq !== log.lastSeq + 1 + index) {
      throw new Error(`event seq ${event.seq} does not follow the log's last seq ${log.lastSeq + index}`);
    }
  });
  const last = stored.at(-1);
  if (last === undefined) return;
  let size = log.size;
  try {
    for (const event of stored) {
      const line = Buffer.from(encodeEvent(event));
      writeFully(log.fd, line);
      size += line.length;
    }
    fs.fsyncSync(log.fd);
  } catch (err) {
    // A short write leaves part of a line behind: cut the file back to where the batch began.
    let outcome = `${NOTHING_RECORDED}, and the log is as it was`;
    try {
      fs.ftruncateSync(log.fd, log.size);
    } catch {
      outcome = `${NOTHING_RECORDED}; the log may end in part of a line, which the next command sets aside in .work/logs/`;
    }
    throw asIoError(err, { action: 'append to', path: log.path, outcome });
  }
  log.size = size;
  log.lastSeq = last.seq;
}

function openLog(logPath: string, now: () => Date): OpenLog {
  let opened: { fd: number; created: boolean };
  try {
    opened = openOrCreate(logPath);
  } catch (err) {
    throw asIoError(err, { action: 'open', path: logPath, outcome: NOTHING_RECORDED });
  }
  const { fd, created } = opened;
  try {
    // The file's creation must survive a crash as well as its first lines.
    if (created) fsyncDir(path.dirname(logPath));
    const fileSize = fs.fstatSync(fd).size;
    const size = completeEnd(fd, fileSize);
    const repairedTail = size < fileSize ? cutTornTail(logPath, fd, size, fileSize, now()) : null;
    return { path: logPath, fd, size, lastSeq: lastSeqOf(fd, logPath, size), repairedTail };
  } catch (err) {
    fs.closeSync(fd);
    throw asIoError(err, { action: 'open', path: logPath, outcome: NOTHING_RECORDED });
  }
}

function openOrCreate(logPath: string): { fd: number; created: boolean } {
  const { O_RDWR, O_APPEND, O_CREAT, O_EXCL } = fs.constants;
  try {
    return { fd: fs.openSync(logPath, O_RDWR | O_APPEND | O_CREAT | O_EXCL, 0o644), created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { fd: fs.openSync(logPath, O_RDWR | O_APPEND), created: false };
  }
}

/** Saves the bytes after the last `\n` aside, then cuts them off so the next line starts clean. */
function cutTornTail(logPath: string, fd: number, offset: number, fileSize: number, at: Date): RepairedTail {
  const bytes = Buffer.allocUnsafe(fileSize - offset);
  readAt(fd, bytes, offset, bytes.length);
  let savedTo: string;
  try {
    savedTo = saveTornBytes(logPath, bytes, at);
  } catch (err) {
    // Not kept, so not cut: the log stays as it was.
    throw asIoError(err, {
      action: `keep the torn last line of ${logPath} in`,
      path: logsDirFor(logPath),
      outcome: `${NOTHING_RECORDED}, and the log is as it was`,
    });
  }
  fs.ftruncateSync(fd, offset);
  fs.fsyncSync(fd);
  return { offset, bytes: bytes.length, savedTo };
}
