/**
 * A disposable cache of folded state at `.work/cache/snapshot.json`, so that
 * a command need not replay a long log from line 1. It is never trusted: it
 * is used only when the log still holds, at the recorded offset, the very
 * line it was taken after (same bytes, same seq) and the state's format
 * version matches; otherwise it is ignored. Deleting it never changes a result.
 */
import fs from 'node:fs';
import { parseLine } from './line.js';
import { writeFileAtomic } from './durable.js';
import { isNewline, byteAt, lineEndingAt } from './tail.js';

export const SNAPSHOT_FORMAT = 1;

/** How a state of type S is stored in a snapshot. */
export interface SnapshotCodec<S> {
  /** Change it whenever the state's shape or the fold's meaning changes: older snapshots are then ignored. */
  version: string;
  /**
   * Rebuilds the state from its JSON; throws (or returns undefined) when it
   * is not a valid state. The JSON itself is the state when omitted.
   */
  validate?: (raw: unknown) => S | undefined;
  /** The state as JSON; the state itself when omitted. */
  serialize?: (state: S) => unknown;
}

/** State folded from the log's events 1..seq, which end at byte `offset`. */
export interface LogPoint<S> {
  seq: number;
  offset: number;
  state: S;
}

export type SnapshotLoad<S> = ({ ok: true } & LogPoint<S>) | { ok: false; reason: string };

interface SnapshotFile {
  format: number;
  state_version: string;
  seq: number;
  offset: number;
  /** The log's line ending at `offset`, kept whole: a cheap, exact check that the log still holds it. */
  last_line: string;
  state: unknown;
}

export function loadSnapshot<S>(
  snapshotPath: string,
  logPath: string,
  codec: SnapshotCodec<S>,
): SnapshotLoad<S> {
  let file: Partial<SnapshotFile>;
  try {
    file = JSON.parse(fs.readFileSync(snapshotPath, 'utf8')) as Partial<SnapshotFile>;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, reason: missing ? 'no snapshot' : `unreadable: ${(err as Error).message}` };
  }
  if (typeof file !== 'object' || file === null || file.format !== SNAPSHOT_FORMAT) {
    return { ok: false, reason: 'unknown snapshot format' };
  }
  if (file.state_version !== codec.version) {
    return { ok: false, reason: `state version ${String(file.state_version)}, wanted ${codec.version}` };
  }
  const { seq, offset, last_line: lastLine } = file;
  if (!isPositiveInteger(seq) || !isPositiveInteger(offset) || typeof lastLine !== 'string') {
    return { ok: false, reason: 'malformed snapshot' };
  }
  const mismatch = checkAgainstLog(logPath, seq, offset, lastLine);
  if (mismatch !== null) return { ok: false, reason: mismatch };
  let state: S | undefined;
  try {
    state = codec.validate === undefined ? (file.state as S) : codec.validate(file.state);
  } catch (err) {
    return { ok: false, reason: `invalid state: ${(err as Error).message}` };
  }
  if (state === undefined) return { ok: false, reason: 'invalid state' };
  return { ok: true, seq, offset, state };
}

/** Writes atomically (tmp + fsync + rename); concurrent writers each leave a whole, valid snapshot. */
export function writeSnapshot<S>(
  snapshotPath: string,
  logPath: string,
  codec: SnapshotCodec<S>,
  point: LogPoint<S>,
): void {
  const fd = fs.openSync(logPath, 'r');
  let lastLine: string;
  try {
    lastLine = lineEndingAt(fd, point.offset).bytes.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
  const file: SnapshotFile = {
    format: SNAPSHOT_FORMAT,
    state_version: codec.version,
    seq: point.seq,
    offset: point.offset,
    last_line: lastLine,
    state: codec.serialize === undefined ? point.state : codec.serialize(point.state),
  };
  writeFileAtomic(snapshotPath, JSON.stringify(file));
}

/** Null when the log still holds the snapshot's last line at its offset; otherwise why not. */
function checkAgainstLog(logPath: string, seq: number, offset: number, lastLine: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(logPath, 'r');
  } catch {
    return 'no log';
  }
  try {
    if (fs.fstatSync(fd).size < offset) return 'log is shorter than the snapshot';
    if (!isNewline(byteAt(fd, offset - 1))) return 'snapshot offset is not at the end of a line';
    const line = lineEndingAt(fd, offset).bytes;
    if (line.toString('utf8') !== lastLine) return 'last line differs';
    try {
      if (parseLine(line.toString('utf8')).seq !== seq) return 'last line has another seq';
    } catch {
      return 'last line is not a valid event';
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
