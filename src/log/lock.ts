/**
 * An inter-process lock on a lock file, synchronous.
 *
 * The lock file is created with O_EXCL and holds `pid hostname time`. A waiter
 * polls with short randomised sleeps, so many processes (the monitor, hooks of
 * several agents, a command in another terminal) take turns without a daemon.
 * A lock left behind by a process that died is recognised and broken.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { uniqueSuffix } from './unique.js';
import { asIoError, isIoFailure, RefusedError } from '../errors.js';
import { sleepSync } from './sleep.js';

export interface LockOptions {
  /** Stop waiting for another holder after this long (default 10 s). */
  timeoutMs?: number;
  /**
   * A lock older than this is taken to be abandoned even when its holder
   * looks alive (a reused pid, another host). Holds last milliseconds, so the
   * default (60 s) is generous.
   */
  staleMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_LOCK_STALE_MS = 60_000;
/** An empty or unreadable lock file is a holder that died between create and write. */
const UNREADABLE_LOCK_GRACE_MS = 2_000;
/** A waiter that has waited this long claims the next turn (see claimedByAnother). */
const CLAIM_NEXT_AFTER_MS = 20;
/** A claim on the next turn lapses after this long, so a stuck waiter cannot block the others. */
const NEXT_CLAIM_STALE_MS = 2_000;
const NEXT_CLAIM_SLEEP_MS = 0.5;
const MIN_SLEEP_MS = 1;
const MAX_SLEEP_MS = 10;

export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the lock was taken, ms since the epoch. */
  since: number;
}

export interface HeldLock {
  readonly path: string;
  release(): void;
}

/** Lock files held by this thread, to turn an accidental nested acquire into an error, not a 10 s hang. */
const heldHere = new Set<string>();

export function withLock<T>(lockPath: string, fn: () => T, opts: LockOptions = {}): T {
  const lock = acquireLock(lockPath, opts);
  try {
    return fn();
  } finally {
    lock.release();
  }
}

/**
 * Takes the lock, waiting for it. A file-system failure (no permission, a
 * full disk) is a WorkspaceIoError naming the lock file.
 */
export function acquireLock(lockPath: string, opts: LockOptions = {}): HeldLock {
  try {
    return waitForLock(lockPath, opts);
  } catch (err) {
    throw asIoError(err, { action: 'take the lock', path: lockPath });
  }
}

function waitForLock(lockPath: string, opts: LockOptions): HeldLock {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = opts.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const key = path.resolve(lockPath);
  if (heldHere.has(key)) {
    throw new Error(`lock ${lockPath} is already held by this process (nested acquire)`);
  }
  const started = Date.now();
  const deadline = started + timeoutMs;
  const nextPath = nextClaimPathFor(lockPath);
  let nextClaim: string | null = null;
  let sleepCap = MIN_SLEEP_MS * 2;
  let vanished = 0;
  try {
    for (;;) {
      const mayTry = nextClaim !== null || !claimedByAnother(nextPath, staleMs);
      const content = mayTry ? tryCreate(lockPath) : null;
      if (content !== null) {
        heldHere.add(key);
        return { path: lockPath, release: () => release(lockPath, key, content) };
      }
      if (nextClaim === null && Date.now() - started >= CLAIM_NEXT_AFTER_MS) nextClaim = tryCreate(nextPath);
      const seen = inspect(lockPath);
      if (seen !== null && isAbandoned(seen, staleMs)) {
        breakLock(lockPath, seen);
      } else if (seen !== null || ++vanished > 3) {
        // (A lock released between our attempt and our look is retried at once, a few times.)
        if (Date.now() >= deadline) throw heldTooLong(lockPath, seen, timeoutMs);
        // The waiter with the next turn polls fast: the lock stays free until it comes.
        if (nextClaim !== null) sleepSync(NEXT_CLAIM_SLEEP_MS * (0.5 + Math.random()));
        else sleepSync(MIN_SLEEP_MS + Math.random() * (sleepCap - MIN_SLEEP_MS));
        sleepCap = Math.min(sleepCap * 2, MAX_SLEEP_MS);
      }
    }
  } finally {
    if (nextClaim !== null) removeIfOwned(nextPath, nextClaim);
  }
}

/**
 * Fairness. Waiters sleep while a process that just released the lock can
 * take it again at once, so a busy appender could keep a hook waiting for
 * seconds. A waiter that has waited a while claims the next turn with a
 * `<lock>.next` file; others then leave the free lock to it. The claim only
 * orders the waiters (the lock file alone keeps holders apart), so a claim
 * that looks abandoned is simply removed.
 */
function nextClaimPathFor(lockPath: string): string {
  return `${lockPath}.next`;
}

function claimedByAnother(nextPath: string, staleMs: number): boolean {
  const seen = inspect(nextPath);
  if (seen === null) return false;
  if (isAbandoned(seen, Math.min(staleMs, NEXT_CLAIM_STALE_MS))) {
    fs.rmSync(nextPath, { force: true });
    return false;
  }
  return true;
}

/** Creates the file holding `pid hostname time`; returns that content, or null when it exists. */
function tryCreate(lockPath: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return null;
    throw err;
  }
  const content = `${process.pid} ${os.hostname()} ${new Date().toISOString()}\n`;
  try {
    fs.writeSync(fd, content);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(lockPath, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return content;
}

function release(lockPath: string, key: string, content: string): void {
  heldHere.delete(key);
  try {
    removeIfOwned(lockPath, content);
  } catch (err) {
    // Whatever the holder did stands; a lock file left behind names a pid that
    // is soon gone, and the next waiter breaks it (isAbandoned).
    if (!isIoFailure(err)) throw err;
  }
}

/** Only removes our own file: if ours was broken as stale, the file now belongs to someone else. */
function removeIfOwned(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) fs.unlinkSync(file);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
}

interface SeenLock {
  content: string;
  holder: LockHolder | null;
  ino: number;
  mtimeMs: number;
}

function inspect(lockPath: string): SeenLock | null {
  try {
    const stat = fs.statSync(lockPath);
    const content = fs.readFileSync(lockPath, 'utf8');
    return { content, holder: parseHolder(content), ino: stat.ino, mtimeMs: stat.mtimeMs };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
}

export function parseHolder(content: string): LockHolder | null {
  const [pid, hostname, time, ...rest] = content.trim().split(' ');
  if (pid === undefined || hostname === undefined || time === undefined || rest.length > 0) return null;
  const since = Date.parse(time);
  if (!/^\d+$/.test(pid) || Number.isNaN(since)) return null;
  return { pid: Number(pid), hostname, since };
}

function isAbandoned(seen: SeenLock, staleMs: number): boolean {
  const now = Date.now();
  const { holder } = seen;
  if (holder === null) return now - seen.mtimeMs > Math.min(staleMs, UNREADABLE_LOCK_GRACE_MS);
  // The later of the two times: a holder on a host whose clock is behind must not look old.
  const since = Math.max(holder.since, seen.mtimeMs);
  if (now - since > staleMs) return true;
  if (holder.hostname !== os.hostname()) return false; // cannot see another host's processes
  if (since < now - os.uptime() * 1000) return true; // taken before this machine booted
  // Our own pid may be another thread of this process: only age can tell then.
  return holder.pid !== process.pid && !isProcessAlive(holder.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) !== 'ESRCH'; // EPERM: alive, owned by another user
  }
}

/**
 * Removes an abandoned lock so that, of several waiters breaking it at once,
 * exactly one removes it: each renames the lock file to a private name
 * (atomic, so only one rename can capture that file) and then checks it
 * captured the very file it judged abandoned. A waiter that loses the race
 * may capture the next holder's fresh lock instead; it puts that back with
 * link(2), which fails rather than overwrite a lock created meanwhile.
 */
function breakLock(lockPath: string, seen: SeenLock): void {
  const captured = `${lockPath}.stale-${process.pid}-${uniqueSuffix()}`;
  try {
    fs.renameSync(lockPath, captured);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return; // another waiter broke it first
    throw err;
  }
  const stat = fs.statSync(captured);
  const sameFile =
    stat.ino === seen.ino &&
    stat.mtimeMs === seen.mtimeMs &&
    fs.readFileSync(captured, 'utf8') === seen.content;
  if (!sameFile) {
    try {
      fs.linkSync(captured, lockPath);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
  }
  fs.unlinkSync(captured);
}

function heldTooLong(lockPath: string, seen: SeenLock | null, timeoutMs: number): RefusedError {
  const waited = `gave up after waiting ${Math.round(timeoutMs / 100) / 10} s`;
  if (seen !== null) {
    return new RefusedError(
      `the lock ${lockPath} is held by ${describeHolder(seen.holder)}; ${waited}`,
      deleteHint(seen.holder, lockPath),
    );
  }
  // The lock was free but left to the waiter that claimed the next turn.
  const nextPath = nextClaimPathFor(lockPath);
  const claimer = inspect(nextPath)?.holder ?? null;
  return new RefusedError(
    `the next turn at the lock ${lockPath} is claimed by ${describeHolder(claimer)}; ${waited}`,
    deleteHint(claimer, nextPath),
  );
}

function describeHolder(holder: LockHolder | null): string {
  if (holder === null) return 'another process';
  return `pid ${holder.pid} on ${holder.hostname} (since ${new Date(holder.since).toISOString()})`;
}

function deleteHint(holder: LockHolder | null, file: string): string {
  return `if no Flux process is running${holder === null ? '' : ` (check pid ${holder.pid})`}, delete ${file}`;
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
