/**
 * The effects lock, `.work/effects.lock`: whoever changes the world (git,
 * tmux, agents) holds it for as long as that takes, so two Flux processes
 * never merge, launch or clean up at once. It is separate from the log's
 * lock, which is held for the milliseconds of an append: hooks never wait
 * for a merge. Within one process it is shared: the holder's effects run
 * side by side (one stage's after another's), and nested requests (a merge
 * asking for its cleanup) do not wait for themselves.
 */
import path from 'node:path';
import { RefusedError, WorkspaceIoError } from '../../errors.js';
import { acquireLock, type HeldLock } from '../../log/lock.js';

export const EFFECTS_LOCK_NAME = 'effects.lock';
export const NOTHING_RECORDED = 'nothing was recorded';
/** After a decision was recorded, its effects are what a failed lock leaves undone. */
const UNPERFORMED = 'what was recorded stands; `flux run` carries out what it asks for';
/** A holder that is alive but takes this long is reported rather than waited for without end. */
const WAIT_LIMIT_MS = 10 * 60_000;
const POLL_MS = 25;

export class EffectsLock {
  readonly file: string;
  private depth = 0;
  private taking: Promise<HeldLock> | undefined;
  private readonly onWait: (holder: string) => void;

  constructor(workDir: string, onWait: (holder: string) => void = () => {}) {
    this.file = path.join(workDir, EFFECTS_LOCK_NAME);
    this.onWait = onWait;
  }

  /**
   * Runs `fn` holding the lock (taking it first unless this process holds it
   * already). `outcome` is what a failure to take it means for the command
   * (e.g. "nothing was recorded"), said with an I/O error.
   */
  async hold<T>(fn: () => Promise<T>, outcome = UNPERFORMED): Promise<T> {
    if (this.depth++ === 0) this.taking = this.take();
    let held: HeldLock;
    try {
      held = await this.taking!;
    } catch (error) {
      if (--this.depth === 0) this.taking = undefined;
      throw error instanceof WorkspaceIoError ? error.withOutcome(outcome) : error;
    }
    try {
      return await fn();
    } finally {
      if (--this.depth === 0) {
        this.taking = undefined;
        held.release();
      }
    }
  }

  private async take(): Promise<HeldLock> {
    const started = Date.now();
    let told = false;
    for (;;) {
      try {
        // No age limit: a merge can take minutes; only a dead holder's lock is broken.
        return acquireLock(this.file, { timeoutMs: 0, staleMs: Number.POSITIVE_INFINITY });
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        if (Date.now() - started > WAIT_LIMIT_MS) throw error;
        if (!told && Date.now() - started > 2_000) {
          told = true;
          this.onWait(error.message);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * (0.5 + Math.random())));
    }
  }
}
