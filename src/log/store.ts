/**
 * An event store over a fold: the state is whatever the fold makes of the
 * log's events, and the only way to change it is `transact`, which decides
 * new events against the latest state while holding the lock, so no decision
 * is ever based on a state another process has already moved past.
 */
import { LogDamagedError } from '../errors.js';
import type { FluxEvent, NewEvent } from './events.js';
import { eventCodec } from './line.js';
import { withOpenLog, writeEvents, type OpenLog } from './append.js';
import type { LockOptions } from './lock.js';
import { logPathIn, snapshotPathFor } from './paths.js';
import { readLog } from './read.js';
import { loadSnapshot, writeSnapshot, type LogPoint, type SnapshotCodec } from './snapshot.js';

export const DEFAULT_SNAPSHOT_EVERY = 2000;

export interface EventStoreOptions<S> {
  /** The `.work/` directory. */
  workDir: string;
  initial: () => S;
  /**
   * Applies one event. Must be deterministic: replay has to give the same
   * state every time. It may update and return the state it is given (fast
   * replay); when it throws, the store drops its state and reloads it on next use.
   */
  fold: (state: S, event: FluxEvent) => S;
  /** Enables the snapshot cache; `every` is how many folded events earn a new one (default 2000). */
  snapshot?: SnapshotCodec<S> & { every?: number };
  /** Shorthand for `snapshot: { version: stateVersion }`: the state is cached as its plain JSON. */
  stateVersion?: string;
  lock?: LockOptions;
  now?: () => Date;
}

export interface LoadOptions {
  /** Replay the whole log, checking every line, instead of starting from the snapshot. */
  ignoreSnapshot?: boolean;
}

export interface Transaction<S> {
  events: FluxEvent[];
  state: S;
}

export class EventStore<S> {
  readonly logPath: string;
  readonly snapshotPath: string;
  readonly #options: EventStoreOptions<S>;
  readonly #codec: (SnapshotCodec<S> & { every?: number }) | undefined;
  #point: LogPoint<S> | undefined;
  #foldedSinceSnapshot = 0;
  #snapshotSeq = 0;

  constructor(options: EventStoreOptions<S>) {
    this.#options = options;
    this.#codec =
      options.snapshot ??
      (options.stateVersion === undefined ? undefined : { version: options.stateVersion });
    this.logPath = logPathIn(options.workDir);
    this.snapshotPath = snapshotPathFor(this.logPath);
  }

  /** The state as of the last load or transact (loading first if need be). */
  get state(): S {
    return this.#loaded().state;
  }

  get lastSeq(): number {
    return this.#loaded().seq;
  }

  /** Bytes of the log folded into `state`. */
  get offset(): number {
    return this.#loaded().offset;
  }

  /** The seq the snapshot used by the first load ended at; 0 when it replayed from line 1. */
  get snapshotSeq(): number {
    return this.#snapshotSeq;
  }

  /**
   * Brings the state up to date with the log: the first call starts from the
   * snapshot (when there is a usable one) or from scratch, later calls fold
   * only what was appended since.
   */
  load(opts: LoadOptions = {}): S {
    if (opts.ignoreSnapshot === true) this.#point = undefined;
    let point: LogPoint<S>;
    try {
      point = this.#catchUp(this.#point ?? this.#start(opts));
    } catch (err) {
      this.#point = undefined; // the fold may have half-updated it
      if (!(err instanceof LogDamagedError)) throw err;
      // Reading without the lock can, in a rare race with a torn-tail repair,
      // see bytes that were never one line; under the lock the file is settled.
      point = withOpenLog(this.logPath, () => this.#catchUp(this.#start(opts)), this.#lockOptions());
    }
    this.#commit(point);
    this.#maybeSnapshot();
    return point.state;
  }

  /**
   * Under the lock: folds whatever other processes appended, asks `decide`
   * for new events, folds them (a fold that throws appends nothing), appends
   * them and returns them with the new state.
   */
  transact(
    decide: (state: S) => readonly NewEvent[],
    /** Runs after the append, still under the lock (e.g. rewriting views of the state, in order). */
    afterAppend?: (state: S, events: readonly FluxEvent[]) => void,
  ): Transaction<S> {
    const base = this.#loaded();
    const result = withOpenLog(
      this.logPath,
      (log) => {
        const current = this.#dropStateOnError(() => this.#catchUpLocked(base, log));
        this.#commit(current);
        const decided = decide(current.state);
        if (decided.length === 0) return { events: [], state: current.state };
        const now = this.#options.now ?? (() => new Date());
        const stored = eventCodec().stamp(decided, log.lastSeq + 1, now().toISOString());
        const state = this.#dropStateOnError(() => {
          const next = stored.reduce(this.#options.fold, current.state);
          writeEvents(log, stored);
          return next;
        });
        this.#commit({ seq: log.lastSeq, offset: log.size, state }, stored.length);
        afterAppend?.(state, stored);
        return { events: stored, state };
      },
      this.#lockOptions(),
    );
    this.#maybeSnapshot();
    return result;
  }

  /**
   * Runs a fold (and maybe an append); if it throws, the state it folded into
   * may hold events that are not in the log, so drop it and reload on next use.
   */
  #dropStateOnError<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      this.#point = undefined;
      throw err;
    }
  }

  #loaded(): LogPoint<S> {
    if (this.#point === undefined) this.load();
    return this.#point as LogPoint<S>;
  }

  #start(opts: LoadOptions): LogPoint<S> {
    const codec = this.#codec;
    if (codec !== undefined && opts.ignoreSnapshot !== true) {
      const snapshot = loadSnapshot(this.snapshotPath, this.logPath, codec);
      if (snapshot.ok) {
        this.#snapshotSeq = snapshot.seq;
        return snapshot;
      }
    }
    this.#snapshotSeq = 0;
    return { seq: 0, offset: 0, state: this.#options.initial() };
  }

  /** Folds the complete lines after `base`; a torn tail is left for the next append to cut. */
  #catchUp(base: LogPoint<S>): LogPoint<S> {
    const read = readLog(this.logPath, { fromOffset: base.offset, fromLine: base.seq + 1 });
    let state = base.state;
    for (const event of read.events) {
      try {
        state = this.#options.fold(state, event);
      } catch (err) {
        const damaged = new LogDamagedError(
          `${this.logPath} line ${event.seq}: the ${event.type} event does not replay: ${(err as Error).message}`,
          event.seq,
          'the log holds an event the current state does not accept; restore the log from git or a backup',
        );
        throw Object.assign(damaged, { cause: err });
      }
    }
    return { seq: read.lastSeq, offset: read.endOffset, state };
  }

  #catchUpLocked(base: LogPoint<S>, log: OpenLog): LogPoint<S> {
    const current = this.#catchUp(base);
    if (current.offset !== log.size || current.seq !== log.lastSeq) {
      throw new LogDamagedError(
        `${this.logPath} changed while locked: read up to seq ${current.seq} (byte ${current.offset}), ` +
          `the file ends at seq ${log.lastSeq} (byte ${log.size})`,
      );
    }
    return current;
  }

  #commit(point: LogPoint<S>, folded = point.seq - (this.#point?.seq ?? this.#snapshotSeq)): void {
    this.#foldedSinceSnapshot += folded;
    this.#point = point;
  }

  /** A cache write that fails costs only speed, so it never fails the command. */
  #maybeSnapshot(): void {
    const codec = this.#codec;
    const point = this.#point;
    if (codec === undefined || point === undefined || point.seq === 0) return;
    if (this.#foldedSinceSnapshot < (codec.every ?? DEFAULT_SNAPSHOT_EVERY)) return;
    this.#foldedSinceSnapshot = 0;
    try {
      writeSnapshot(this.snapshotPath, this.logPath, codec, point);
    } catch {
      // Disposable by design: the next command replays a little more.
    }
  }

  #lockOptions(): { lock?: LockOptions; now?: () => Date } {
    return { lock: this.#options.lock, now: this.#options.now };
  }
}
