/**
 * The monitor behind `flux run`: one per workspace. It reconciles the log
 * with tmux and git, starts stages as slots free up, performs what the log
 * says is still to be done (merges, cleanups, closing ended sessions), and
 * wakes whenever an event is appended (chokidar on the log) or a liveness
 * check is due. It returns when nothing can move without a person.
 */
import { watch, type FSWatcher } from 'chokidar';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.js';
import { acquireLock, type HeldLock } from '../log/lock.js';
import type { FluxEvent } from '../log/events.js';
import { readLog } from '../log/read.js';
import type { Runtime } from './runtime.js';
import { machinesFor } from './hosts.js';
import { HostRelays } from './runtime/host-relays.js';
import { decideStarts, wantsSession, type BudgetCheck } from './scheduler.js';
import { liveSessions, type FluxState } from './state.js';
import { supervisorHasWork } from './supervisor.js';
import { stalledSession } from './views.js';

export interface MonitorOptions {
  maxParallel: number;
  only?: string;
  /** How often tmux is asked which sessions are alive, in ms (agents also report their own end at once). */
  livenessMs?: number;
  /**
   * The supervisor's way: do not return when only a person can move things,
   * wait for them; return once every stage is merged (`supervisorHasWork`).
   */
  untilMerged?: boolean;
  /** Called once the monitor lock is held (the supervisor writes its record then). */
  onLocked?: () => void;
}

export interface MonitorView {
  /** Called after every wake-up with the state and the events appended since the last call. */
  update(state: FluxState, events: readonly FluxEvent[]): void;
  note(text: string): void;
  close(state: FluxState, why: MonitorEnd): void;
}

export type MonitorEnd = 'settled' | 'interrupted';

/**
 * True while something can still happen: a live session (one waiting for a
 * permission answer too — the answer comes through the log, and the run must
 * be there to carry on after it — but not one stalled: see
 * `stalledSession`), or a stage Flux can start or merge.
 */
export function canMove(
  state: FluxState,
  only?: string,
  stopReminders?: number,
  budget?: BudgetCheck,
): boolean {
  const working = liveSessions(state).some(
    (s) => (only === undefined || s.stage === only) && stalledSession(state, s.id, stopReminders) === null,
  );
  if (working) return true;
  return state.order.some((id) => {
    if (only !== undefined && id !== only) return false;
    const stage = state.stages[id]!;
    return (
      wantsSession(state, stage, budget) !== null || (stage.status === 'verified' && stage.reason === null)
    );
  });
}

export class Monitor {
  private readonly runtime: Runtime;
  private readonly options: MonitorOptions;
  private readonly view: MonitorView;
  private lock: HeldLock | undefined;
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  /** Set when the log changed since the last round began: the next wait returns at once. */
  private changed = false;
  private stopped = false;
  /** Where the events the view has seen end in the log. */
  private seenOffset = 0;
  /** The hosts' calls reaching the log (docs/hosts.md): one drainer per host with stages. */
  private relays: HostRelays | undefined;

  constructor(runtime: Runtime, options: MonitorOptions, view: MonitorView) {
    this.runtime = runtime;
    this.options = options;
    this.view = view;
  }

  private acquire(): void {
    const lockPath = path.join(this.runtime.engine.ws.workDir, 'monitor.lock');
    try {
      // No age limit: a monitor holds this for hours; only a dead holder frees it.
      this.lock = acquireLock(lockPath, { timeoutMs: 0, staleMs: Number.POSITIVE_INFINITY });
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      throw new RefusedError(
        `another \`flux run\` is already watching this workspace (${error.message})`,
        'one monitor at a time: use `flux status` here, or stop the other one (Ctrl+C)',
      );
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private newEvents(): FluxEvent[] {
    const read = readLog(this.runtime.engine.ws.logPath, { fromOffset: this.seenOffset });
    this.seenOffset = read.endOffset;
    return read.events;
  }

  /** One round: record what changed in the world, finish what is due, start what can start. */
  private async tick(observe: boolean): Promise<FluxState> {
    this.changed = false;
    await this.runtime.reconcile({ observe });
    const { maxParallel, only } = this.options;
    await this.runtime.commitAndRun((state) =>
      decideStarts(state, {
        maxParallel,
        ...(only === undefined ? {} : { only }),
        agent: this.runtime.config.run.agent,
        sessionPrefix: this.runtime.config.tmux.session_prefix,
        budget: this.runtime.config.budget,
        ...machinesFor(this.runtime.config),
      }),
    );
    // Merged stages' worktrees go after their dependents have started.
    await this.runtime.flushDeferred();
    // Then whoever is needed is told.
    this.runtime.notify();
    const state = this.runtime.engine.load();
    this.relays?.ensure(state);
    return state;
  }

  private canMove(state: FluxState): boolean {
    const { config } = this.runtime;
    return canMove(state, this.options.only, config.run.stop_reminders, {
      defaults: config.budget,
      now: Date.now(),
    });
  }

  /** Resolves true when the log changed, false when `ms` passed without a change. */
  private waitForChange(ms: number): Promise<boolean> {
    if (this.changed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  async run(): Promise<MonitorEnd> {
    this.acquire();
    this.options.onLocked?.();
    this.runtime.deferCleanups = true;
    this.relays = new HostRelays(this.runtime);
    this.runtime.keepLaunchesOpen(true);
    try {
      this.watcher = watch(this.runtime.engine.ws.logPath, { ignoreInitial: true, awaitWriteFinish: false });
      this.watcher.on('change', () => {
        this.changed = true;
        this.wake?.();
      });
      // The view shows what happens from now on.
      this.seenOffset = readLog(this.runtime.engine.ws.logPath).endOffset;
      let observe = true;
      for (;;) {
        const state = await this.tick(observe);
        this.view.update(state, this.newEvents());
        if (this.stopped) {
          this.view.close(state, 'interrupted');
          return 'interrupted';
        }
        if (this.options.untilMerged === true) {
          if (!supervisorHasWork(state)) {
            this.view.close(state, 'settled');
            return 'settled';
          }
        } else if (!this.canMove(state)) {
          // A last look at tmux, so sessions the log says are over do not outlive the run.
          const final = await this.tick(true);
          if (!this.canMove(final)) {
            this.view.close(final, 'settled');
            return 'settled';
          }
        }
        // Woken by an append: act on it at once. Woken by the clock: also ask tmux who is alive.
        observe = !(await this.waitForChange(this.options.livenessMs ?? 2000));
        // The workspace was deleted under it (a test's temporary repository, `rm -rf .work`).
        if (!existsSync(this.runtime.engine.ws.logPath)) this.stopped = true;
        if (this.stopped) {
          this.view.close(this.runtime.engine.load(), 'interrupted');
          return 'interrupted';
        }
      }
    } finally {
      this.runtime.keepLaunchesOpen(false);
      await this.relays.close();
      await this.watcher?.close();
      await this.runtime.notified();
      this.lock?.release();
    }
  }
}
