/**
 * The runtime: the one place that changes the world. An engine plus the real
 * effects (git, tmux, agents), and the code that performs the machines'
 * effect requests under the effects lock (`runtime/effects-lock.ts`), so no
 * two Flux processes merge, launch or clean up at once. Each request is
 * checked against the state as it is once the lock is held, runs only after
 * the events that asked for it are on disk, and what it finds out comes
 * back as events (a merge commit, a conflict, a session that could not start).
 *
 * Commands record decisions and hand the effects here (`commitAndRun`);
 * none performs git or tmux effects of its own.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runAcceptance, type AcceptanceOptions, type AcceptanceReport } from '../effects/acceptance.js';
import { createGit, type Git } from '../effects/git.js';
import { acceptOnHost } from '../effects/host/accept.js';
import { HostWorld } from '../effects/host/world.js';
import { createTmux, type Tmux } from '../effects/tmux.js';
import { ConfigError } from '../errors.js';
import type { NewEvent } from '../log/events.js';
import type { EffectRequest } from '../machines/index.js';
import { INTEGRATION_DIR_NAME, STAGE_BRANCH_PREFIX, WORKTREES_DIR_NAME } from '../paths.js';
import { chooseTmuxSocket, loadConfig, type FluxConfig } from './config.js';
import { Engine, type Committed } from './engine.js';
import { decideReconcile, type Observed } from './reconcile.js';
import { checkAgent } from './runtime/agent-check.js';
import { checkHosts } from './runtime/host-check.js';
import { LOCAL_HOST, machinesOf } from './hosts.js';
import { EffectsLock, NOTHING_RECORDED } from './runtime/effects-lock.js';
import { sendDueNotices } from './runtime/notices.js';
import { observeWorld } from './runtime/observe.js';
import { endSession } from './runtime/end-session.js';
import { prepareLaunch, recordLaunchFailure } from './runtime/launch.js';
import { cleanupStage, mergeStage, type CleanupReport, type StageMergeOutcome } from './runtime/merge.js';
import { isMergedStageCleanup, performByStage, performRequest } from './runtime/perform.js';
import {
  bringBack,
  stageWorktree,
  worktreeDirty,
  worktreeExists,
  type StageWorktree,
} from './runtime/stage-worktree.js';
import { fluxCommand } from './runtime/program.js';
import { allMerged, mergeQueue, stageHost, type FluxState } from './state.js';

export { fluxCommand, findProgram, retryWhileServerExits } from './runtime/program.js';
// Pure tmux text the commands print (a pane id or a session name, a command line to paste).
export { isPaneId, shellJoin } from '../effects/tmux.js';
export type { CleanupReport, StageMergeOutcome } from './runtime/merge.js';

export interface RuntimeOptions {
  /** Overrides `tmux.socket` from the config (tests use a private socket). */
  tmuxSocket?: string;
  /** Reports what effects do, for the live view and logs. */
  onNote?: (note: string) => void;
  /** The effects themselves (tests pass in-memory ones). */
  git?: Git;
  tmux?: Tmux;
}

export class Runtime {
  readonly engine: Engine;
  readonly config: FluxConfig;
  readonly git: Git;
  readonly tmux: Tmux;
  readonly flux: string[];
  readonly lock: EffectsLock;
  readonly note: (note: string) => void;
  /** Work for merged stages waits until what can start has started: it is on no one's critical path. */
  private readonly deferred: EffectRequest[] = [];
  /** Completed stages whose forecast merge was clean (stage → `<head>..<base tip>`): each pair is forecast once. */
  readonly forecastClean = new Map<string, string>();
  /** When set, cleanups wait for `flushDeferred()` (the monitor starts dependents first). */
  deferCleanups = false;

  constructor(engine: Engine, config: FluxConfig, options: RuntimeOptions = {}) {
    this.engine = engine;
    this.config = config;
    this.git = options.git ?? createGit(engine.ws.root);
    const socket = chooseTmuxSocket(() => config, options.tmuxSocket);
    this.tmux = options.tmux ?? createTmux(socket === undefined ? {} : { socket });
    this.flux = fluxCommand();
    this.note = options.onNote ?? (() => {});
    this.lock = new EffectsLock(engine.ws.workDir, (holder) =>
      this.note(`waiting for another Flux process to finish changing git and tmux (${holder})`),
    );
  }

  static open(cwd?: string, options: RuntimeOptions = {}): Runtime {
    const engine = Engine.open(cwd);
    return new Runtime(engine, loadConfig(engine.ws.configPath), options);
  }

  /** Refuses to start sessions whose agent cannot run (`runtime/agent-check.ts`). */
  checkAgent(): void {
    checkAgent(this);
  }

  /** Refuses a run whose hosts lack what stages need; records those that cannot be reached (`runtime/host-check.ts`). */
  checkHosts(): Promise<void> {
    return checkHosts(this);
  }

  /** While a supervisor runs, each host keeps a launch call open ahead (src/effects/host/open-call.ts). */
  keepLaunchesOpen(on: boolean): void {
    for (const name of machinesOf(this.config)?.order ?? [])
      if (name !== LOCAL_HOST && this.config.hosts[name] !== undefined)
        this.hostWorld(name).keepLaunchOpen(on);
  }

  get root(): string {
    return this.engine.ws.root;
  }

  /** Flux's own worktree where merges are built before the base moves. */
  get integrationPath(): string {
    return path.join(this.engine.ws.workDir, INTEGRATION_DIR_NAME);
  }

  baseBranch(state: FluxState): string {
    const base = this.config.run.base_branch || state.baseBranch;
    if (base === null || base === '') {
      throw new ConfigError(
        'no base branch: `flux init` ran on a detached HEAD',
        'set run.base_branch in .work/config.toml to the branch stages should merge into',
      );
    }
    return base;
  }

  /** The branch a stage forks from and merges into: the plan's base branch, or an ad hoc task's own base. */
  baseFor(state: FluxState, stage: string): string {
    const task = state.stages[stage]?.task;
    return task !== undefined ? task.base : this.baseBranch(state);
  }

  /** A plan stage's worktree is `.worktrees/<id>`; an ad hoc task has its own (`task.created`). */
  worktreePath(stage: string, state: FluxState = this.engine.load()): string {
    return state.stages[stage]?.task?.worktree ?? path.join(this.root, WORKTREES_DIR_NAME, stage);
  }

  branchName(stage: string, state: FluxState = this.engine.load()): string {
    return state.stages[stage]?.task?.branch ?? `${STAGE_BRANCH_PREFIX}${stage}`;
  }

  /** Decides, appends, then performs the effects (and the effects of their results), holding the effects lock. */
  commitAndRun(
    decide: (state: FluxState) => { events: NewEvent[]; effects: EffectRequest[] },
  ): Promise<Committed> {
    return this.lock.hold(async () => {
      const committed = this.engine.commit(decide);
      await this.performHeld(committed.effects);
      return committed;
    }, NOTHING_RECORDED);
  }

  /** Runs a stage's acceptance commands in its worktree (`flux done`, `flux verify`); `host`: in its worktree there. */
  runAcceptance(options: AcceptanceOptions & { host?: string | null }): Promise<AcceptanceReport> {
    const { host, ...rest } = options;
    if (host !== undefined && host !== null) return acceptOnHost(this.hostWorld(host), rest);
    return runAcceptance(rest);
  }

  private readonly worlds = new Map<string, HostWorld>();

  /** A `[hosts.<name>]` as the effects see it (docs/hosts.md). */
  hostWorld(name: string): HostWorld {
    let world = this.worlds.get(name);
    if (world === undefined) {
      const config = this.config.hosts[name];
      if (config === undefined)
        throw new ConfigError(
          `no [hosts.${name}] in ${this.engine.ws.configPath}`,
          'define it (docs/hosts.md), or take the host out of run.hosts and [stages]',
        );
      world = new HostWorld(name, config, {
        root: this.root,
        workDir: this.engine.ws.workDir,
        distBin: path.dirname(this.flux[1] ?? ''),
        tmuxSocket: this.tmux.socket,
      });
      this.worlds.set(name, world);
    }
    return world;
  }

  /** A stage's worktree wherever it is (here, or on its host): `runtime/stage-worktree.ts`. */
  stageWorktree(stageId: string): Promise<StageWorktree> {
    return stageWorktree(this, stageId);
  }

  worktreeExists(worktree: StageWorktree): Promise<boolean> {
    return worktreeExists(this, worktree);
  }

  worktreeDirty(worktree: StageWorktree): ReturnType<typeof worktreeDirty> {
    return worktreeDirty(this, worktree);
  }

  /** A stage on a host: its branch comes back here (forward only); null, or why the host could not be reached. */
  bringBack(stageId: string): Promise<{ unreachable: string } | null> {
    return this.lock.hold(() => bringBack(this, stageId));
  }

  /** The tmux a session runs on: this machine's, or its host's. */
  tmuxOn(host: string | null | undefined): Tmux {
    return host === undefined || host === null ? this.tmux : this.hostWorld(host).tmux;
  }

  /** Runs other effects (a task's commit or stash) under the effects lock. */
  act<T>(effect: () => Promise<T>): Promise<T> {
    return this.lock.hold(effect);
  }

  async flushDeferred(): Promise<void> {
    const deferred = this.deferred.splice(0);
    this.deferCleanups = false;
    try {
      await this.perform(deferred);
    } finally {
      this.deferCleanups = true;
    }
  }

  /** What tmux, git and the filesystem say about the stages. */
  observe(state: FluxState, askTmux = true): Promise<Observed> {
    return observeWorld(this, state, askTmux);
  }

  /**
   * Records every difference between the log and the world, and finishes
   * interrupted work. With `observe: false`, tmux is not asked, and nothing is
   * concluded about which sessions are alive (the monitor asks on its liveness rounds).
   * Looking and deciding happen under the effects lock: no other process's
   * effect can fall between what was seen and what it is taken to mean.
   */
  reconcile(options: { observe?: boolean } = {}): Promise<Committed> {
    return this.lock.hold(async () => {
      const observed = await this.observe(this.engine.load(), options.observe !== false);
      const committed = await this.commitAndRun((state) => decideReconcile(state, observed));
      // Left by a run killed between the last merge and its removal.
      if (allMerged(committed.state) && existsSync(this.integrationPath))
        await this.git.removeIntegration(this.integrationPath);
      return committed;
    }, NOTHING_RECORDED);
  }

  /**
   * Performs effect requests under the effects lock: each stage's in order,
   * different stages' side by side (up to four at a time), so sixteen stages
   * start about as fast as the raw git and tmux commands would. Work for
   * merged stages (closing their session, removing their worktree) waits
   * while the monitor starts what follows.
   */
  perform(effects: EffectRequest[]): Promise<void> {
    if (effects.length === 0) return Promise.resolve();
    return this.lock.hold(() => this.performHeld(effects));
  }

  private performHeld(effects: EffectRequest[]): Promise<void> {
    const state = this.engine.load();
    return performByStage(
      effects,
      async (effect) => {
        // Every request first reads the log (what other processes appended is folded in), deferred or not.
        if (isMergedStageCleanup(this, effect) && this.deferCleanups) this.deferred.push(effect);
        else await performRequest(this, effect);
      },
      mergeQueue(state),
      (stage) => stageHost(state, stage) !== null,
    );
  }

  /** The worktree, the signal and the agent's files for a session the log has started (`flux run --manual`). */
  prepareLaunch(stageId: string, sessionId: string): ReturnType<typeof prepareLaunch> {
    return this.lock.hold(async () => {
      const prepared = await prepareLaunch(this, stageId, sessionId);
      // On a host the files are written with the start; by hand there is none: written now.
      await prepared.start?.();
      return prepared;
    });
  }

  recordLaunchFailure(stageId: string, sessionId: string, reason: string): void {
    recordLaunchFailure(this, stageId, sessionId, reason);
  }

  /** Ends a session: records it, then closes its tmux session unless a newer session of the stage uses it. */
  endSession(stageId: string, sessionId: string | null): Promise<void> {
    if (sessionId === null) return Promise.resolve();
    return this.lock.hold(() => endSession(this, stageId, sessionId));
  }

  /** Notifications being sent: the monitor waits for them before it ends. */
  readonly notifying = new Set<Promise<void>>();

  /** Records the notices due now (once each) and sends them in the background (`runtime/notices.ts`). */
  notify(): void {
    sendDueNotices(this);
  }

  /** Waits for the notifications under way (each is bounded by its own timeout). */
  async notified(): Promise<void> {
    await Promise.all([...this.notifying]);
  }

  /** Merges a verified stage into its base (an ad hoc task: into `base`); records merged or merge_failed. */
  merge(stageId: string, base?: string): Promise<StageMergeOutcome> {
    // One merge at a time in this process too: they share the integration worktree.
    const next = this.merging.then(() => this.lock.hold(() => mergeStage(this, stageId, base)));
    this.merging = next.catch(() => undefined);
    return next;
  }

  private merging: Promise<unknown> = Promise.resolve();

  /** After a merge: the tmux session, the worktree and the branch go; anything unmerged stays. */
  cleanup(stageId: string): Promise<CleanupReport> {
    return this.lock.hold(() => cleanupStage(this, stageId));
  }
}
