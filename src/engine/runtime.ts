/**
 * The runtime: an engine plus the real effects (git, tmux, agents) and the
 * code that performs the machines' effect requests. Every request runs only
 * after the events that asked for it are on disk, and what it finds out
 * comes back as events (a merge commit, a conflict, a session that could not
 * start).
 */
import { randomUUID } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentDir, launchSpec, type LaunchSpec } from '../agents/launch.js';
import { defaultSimScript } from '../agents/sim/default-script.js';
import { createGit, type Git } from '../effects/git.js';
import { createTmux, isPaneId, type Tmux } from '../effects/tmux.js';
import { ConfigError, ExternalError, FluxError, RefusedError } from '../errors.js';
import type { NewEvent } from '../log/events.js';
import type { EffectRequest } from '../machines/index.js';
import { loadConfig, type FluxConfig } from './config.js';
import { settle } from './decide.js';
import { Engine, type Committed } from './engine.js';
import { decideReconcile, type Observed } from './reconcile.js';
import { agentRules, renderSignal, type DependencyNote } from './signal.js';
import { isTask, liveSessions, type FluxState } from './state.js';
import { renderTaskPrompt, taskRules } from './task.js';
import { WORKTREES_DIR_NAME } from './workspace.js';

/**
 * The argv that runs this Flux: the same node and the same `flux` entry,
 * wherever it is installed. In the bundle (dist/bin) the entry sits beside
 * or above this code; run from the sources (tests), it is the package's
 * dist/bin/main.js. FLUX_MAIN overrides both.
 */
export function fluxCommand(): string[] {
  if (process.env.FLUX_MAIN !== undefined) return [process.execPath, process.env.FLUX_MAIN];
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    for (const candidate of [path.join(dir, 'main.js'), path.join(dir, 'dist', 'bin', 'main.js')]) {
      if (existsSync(candidate) && candidate.includes(`${path.sep}bin${path.sep}`))
        return [process.execPath, candidate];
    }
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the flux entry point (dist/bin/main.js): run `npm run build`');
}

/** Whether `program` (a path, or a name looked up on PATH) exists and is executable. */
export function findProgram(program: string): boolean {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/')) return executable(program);
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && executable(path.join(dir, program)));
}

/**
 * Killing a tmux server's last session makes the server exit; a new session
 * asked for at that moment can fail with "server exited unexpectedly"
 * (seen about 1 in 10 with tmux 3.3a). Asking again a moment later works.
 */
export async function retryWhileServerExits(start: () => Promise<void>, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (error) {
      const serverGone =
        error instanceof FluxError && /server exited|no server running|lost server/.test(error.message);
      if (!serverGone || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

export type MergeOutcome =
  { merged: true; commit: string } | { merged: false; reason: string; conflicts: string[] };

export interface RuntimeOptions {
  /** Overrides `tmux.socket` from the config (tests use a private socket). */
  tmuxSocket?: string;
  /** Reports what effects do, for the live view and logs. */
  onNote?: (note: string) => void;
}

export class Runtime {
  readonly engine: Engine;
  readonly config: FluxConfig;
  readonly git: Git;
  readonly tmux: Tmux;
  readonly flux: string[];
  private readonly note: (note: string) => void;
  /** Work for merged stages waits until what can start has started: it is on no one's critical path. */
  private readonly deferred: EffectRequest[] = [];
  /** When set, cleanups wait for `flushDeferred()` (the monitor starts dependents first). */
  deferCleanups = false;

  constructor(engine: Engine, config: FluxConfig, options: RuntimeOptions = {}) {
    this.engine = engine;
    this.config = config;
    this.git = createGit(engine.ws.root);
    const socket = options.tmuxSocket ?? process.env.FLUX_TMUX_SOCKET ?? config.tmux.socket;
    this.tmux = createTmux(socket === '' ? {} : { socket });
    this.flux = fluxCommand();
    this.note = options.onNote ?? (() => {});
  }

  static open(cwd?: string, options: RuntimeOptions = {}): Runtime {
    const engine = Engine.open(cwd);
    return new Runtime(engine, loadConfig(engine.ws.configPath), options);
  }

  /**
   * Refuses to start sessions whose agent cannot run: a missing `claude` (or
   * command agent) would only give sessions that crash at once.
   */
  checkAgent(): void {
    const agent = this.config.run.agent;
    if (agent === 'sim') return;
    const program = agent === 'claude' ? this.config.claude.command : this.config.agents[agent]?.command[0];
    if (program === undefined || findProgram(program)) return;
    throw new ExternalError(
      `the ${agent} agent's program '${program}' is not installed (or not on PATH)`,
      agent === 'claude'
        ? 'install Claude Code (npm install -g @anthropic-ai/claude-code), or set claude.command in .work/config.toml; `agent = "sim"` runs the simulated agent'
        : `install it, or fix [agents.${agent}] command in .work/config.toml`,
    );
  }

  get root(): string {
    return this.engine.ws.root;
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
    return state.stages[stage]?.task?.branch ?? `flux/${stage}`;
  }

  /** Decides, appends, then performs the effects (and the effects of their results). */
  async commitAndRun(
    decide: (state: FluxState) => { events: NewEvent[]; effects: EffectRequest[] },
  ): Promise<Committed> {
    const committed = this.engine.commit(decide);
    await this.perform(committed.effects);
    return committed;
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

  /** What tmux and the filesystem say about the stages. */
  async observe(state: FluxState, askTmux = true): Promise<Observed> {
    const worktrees = new Set(state.order.filter((id) => existsSync(this.worktreePath(id, state))));
    if (!askTmux) return { tmux: null, worktrees };
    // Every session (an ad hoc task's is named by [task] session), without those whose agent has exited.
    const sessions = await this.tmux.listSessions().catch(() => []);
    const alive = new Set(sessions.filter((s) => !s.paneDead).map((s) => s.name));
    // A task inside tmux runs in a pane: its id (`%7`) is its target.
    // It counts only while it runs what Flux put there (pane ids start again at %0 with a new server).
    const inPanes = new Map(
      liveSessions(state, { tasks: true })
        .filter((s) => isPaneId(s.tmux))
        .map((s) => [s.tmux, s.id]),
    );
    if (inPanes.size > 0) {
      for (const pane of await this.tmux.listPanes().catch(() => []))
        if (!pane.dead && inPanes.get(pane.id) === pane.label) alive.add(pane.id);
    }
    return { tmux: alive, worktrees };
  }

  /**
   * Records every difference between the log and the world, and finishes
   * interrupted work. With `observe: false`, tmux is not asked, and nothing is
   * concluded about which sessions are alive (the monitor asks on its liveness rounds).
   */
  async reconcile(options: { observe?: boolean } = {}): Promise<Committed> {
    const state = this.engine.load();
    const observed = await this.observe(state, options.observe !== false);
    return this.commitAndRun((state) => decideReconcile(state, observed));
  }

  /**
   * Performs effect requests: each stage's in order, different stages' side by
   * side (up to four at a time), so sixteen stages start about as fast as the
   * raw git and tmux commands would. Work for merged stages (closing their
   * session, removing their worktree) waits while the monitor starts what follows.
   */
  async perform(effects: EffectRequest[]): Promise<void> {
    const byStage = new Map<string, EffectRequest[]>();
    for (const effect of effects) {
      const list = byStage.get(effect.params.stage) ?? [];
      list.push(effect);
      byStage.set(effect.params.stage, list);
    }
    const queues = [...byStage.values()];
    const worker = async (): Promise<void> => {
      for (let queue = queues.shift(); queue !== undefined; queue = queues.shift()) {
        for (const effect of queue) await this.performOne(effect);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, queues.length) }, worker));
  }

  private async performOne(effect: EffectRequest): Promise<void> {
    const mergedStage = this.engine.load().stages[effect.params.stage]?.status === 'merged';
    if (
      this.deferCleanups &&
      mergedStage &&
      (effect.type === 'cleanupStage' || effect.type === 'endSession')
    ) {
      this.deferred.push(effect);
      return;
    }
    switch (effect.type) {
      case 'launchSession':
        if (effect.params.session !== null) await this.launch(effect.params.stage, effect.params.session);
        break;
      case 'endSession':
        await this.endSession(effect.params.stage, effect.params.session);
        break;
      case 'mergeStage':
        await this.merge(effect.params.stage);
        break;
      case 'cleanupStage':
        await this.cleanup(effect.params.stage);
        break;
      default:
        // sendFeedback: the reason is in the log; the next session's signal carries it.
        break;
    }
  }

  private async dependencyNotes(state: FluxState, stage: string): Promise<DependencyNote[]> {
    const notes: DependencyNote[] = [];
    for (const dep of state.stages[stage]!.def.dependencies) {
      const depState = state.stages[dep]!;
      let commits: string[] = [];
      if (depState.mergedCommit !== null) {
        commits = await this.git
          .commitsAhead(`${depState.mergedCommit}^2`, `${depState.mergedCommit}^1`)
          .catch(() => []);
      }
      notes.push({ id: dep, name: depState.def.name, commits });
    }
    return notes;
  }

  private simScript(stage: FluxState['stages'][string]): string {
    const custom = path.join(this.engine.ws.workDir, 'sim', `${stage.id}.json`);
    if (existsSync(custom)) return readFileSync(custom, 'utf8');
    return JSON.stringify(defaultSimScript(stage.def), null, 2) + '\n';
  }

  /** The worktree, the signal and the agent's files for a session the log has started; returns what to run. */
  async prepareLaunch(stageId: string, sessionId: string): Promise<{ worktree: string; spec: LaunchSpec }> {
    const state = this.engine.load();
    const stage = state.stages[stageId]!;
    const session = state.sessions[sessionId]!;
    const base = this.baseFor(state, stageId);
    const branch = this.branchName(stageId, state);
    const worktree = (await this.git.addWorktree({ path: this.worktreePath(stageId, state), branch, base }))
      .path;
    const handoff =
      session.handoff === null
        ? null
        : {
            path: session.handoff,
            text: readFileSync(path.join(this.engine.ws.workDir, session.handoff), 'utf8'),
          };
    const branchCommits =
      handoff === null && stage.sessions.length > 1 ? await this.git.commitsAhead(branch, base) : [];
    const prompt = isTask(stage)
      ? renderTaskPrompt({ task: stage, session: sessionId, worktree, handoff, branchCommits })
      : renderSignal({
          state,
          stage,
          session: sessionId,
          worktree,
          branch,
          dependencies: await this.dependencyNotes(state, stageId),
          handoff,
          branchCommits,
          feedback: session.feedback,
        });
    const workDir = this.engine.ws.workDir;
    const spec = launchSpec({
      config: this.config,
      agent: session.agent,
      stage: stage.def,
      session: sessionId,
      agentSessionId: session.agentSessionId ?? randomUUID(),
      worktree,
      workDir,
      flux: this.flux,
      prompt,
      promptFile: path.join(workDir, 'signals', `${sessionId}.md`),
      rules: isTask(stage) ? taskRules(stageId) : agentRules(stageId),
    });
    if (session.agent === 'sim')
      spec.files.set(path.join(agentDir(workDir, sessionId), 'sim-script.json'), this.simScript(stage));
    for (const [file, content] of spec.files) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    chmodSync(path.join(workDir, 'bin', 'flux'), 0o755);
    return { worktree, spec };
  }

  /** Starts a session the log has started: its files, then its tmux session. A failure is recorded, not thrown. */
  async launch(stageId: string, sessionId: string): Promise<void> {
    const session = this.engine.load().sessions[sessionId];
    if (session === undefined || session.tmux === '') return;
    try {
      const { worktree, spec } = await this.prepareLaunch(stageId, sessionId);
      // An ad hoc task's pane or session stays after its agent exits, so its last words can be read.
      const task = isTask(this.engine.load().stages[stageId]);
      if (isPaneId(session.tmux)) {
        // A task's pane (made by `flux task run`, or the one a handed-off session ran in) is reused.
        await this.tmux.respawnPane({
          target: session.tmux,
          cwd: worktree,
          command: spec.argv,
          env: spec.env,
          remainOnExit: true,
          label: sessionId,
        });
        this.note(`${stageId}: started ${sessionId} in tmux pane ${session.tmux}`);
        return;
      }
      const start = () =>
        this.tmux.newSession({
          name: session.tmux,
          cwd: worktree,
          command: spec.argv,
          env: spec.env,
          ...(task ? { remainOnExit: true } : {}),
        });
      try {
        await retryWhileServerExits(start);
      } catch (error) {
        // A tmux session left from an earlier session of this stage (the log says it ended).
        if (!(error instanceof RefusedError) || !(await this.tmux.killSession(session.tmux))) throw error;
        await retryWhileServerExits(start);
      }
      this.note(`${stageId}: started ${sessionId} in tmux session ${session.tmux}`);
    } catch (error) {
      if (!(error instanceof FluxError)) throw error;
      this.recordLaunchFailure(stageId, sessionId, `could not start: ${error.message}`);
    }
  }

  recordLaunchFailure(stageId: string, sessionId: string, reason: string): void {
    this.note(`${stageId}: ${reason}`);
    this.engine.commit((current) => {
      const events: NewEvent[] = [];
      const live = current.sessions[sessionId];
      if (live !== undefined && live.status !== 'ended' && live.status !== 'crashed') {
        events.push({ type: 'session.crashed', session: sessionId, reason });
      }
      if (current.stages[stageId]?.status === 'running')
        events.push({ type: 'stage.failed', stage: stageId, reason });
      return settle(current, events);
    });
  }

  /** Ends a session: records it, then closes its tmux session unless a newer session of the stage uses it. */
  async endSession(stageId: string, sessionId: string | null): Promise<void> {
    if (sessionId === null) return;
    const { state } = this.engine.commit((current) => {
      const session = current.sessions[sessionId];
      if (session === undefined || session.status === 'ended' || session.status === 'crashed')
        return { events: [], effects: [] };
      return settle(current, [{ type: 'session.ended', session: sessionId, reason: 'ended by Flux' }]);
    });
    const session = state.sessions[sessionId];
    const current = state.stages[stageId]?.session;
    const newer =
      current !== undefined && current !== null && current !== sessionId
        ? state.sessions[current]
        : undefined;
    const newerAlive = newer !== undefined && newer.status !== 'ended' && newer.status !== 'crashed';
    if (session !== undefined && !newerAlive) await this.tmux.killSession(session.tmux).catch(() => false);
  }

  /** One merge at a time: they all change the main worktree. */
  private merging: Promise<unknown> = Promise.resolve();

  /** Merges a verified stage into the base branch; records merged or merge_failed. */
  merge(stageId: string): Promise<MergeOutcome> {
    const next = this.merging.then(() => this.mergeNow(stageId));
    this.merging = next.catch(() => undefined);
    return next;
  }

  private async mergeNow(stageId: string): Promise<MergeOutcome> {
    const state = this.engine.load();
    const stage = state.stages[stageId]!;
    const base = this.baseFor(state, stageId);
    const branch = this.branchName(stageId, state);
    const worktree = this.worktreePath(stageId, state);
    let outcome: MergeOutcome;
    try {
      const dirty = existsSync(worktree) ? await this.git.status(worktree) : [];
      if (!(await this.git.branchExists(branch))) {
        // Completed by hand before any session made a branch: nothing to merge.
        outcome = { merged: true, commit: await this.git.headCommit() };
      } else if (dirty.length > 0) {
        outcome = {
          merged: false,
          reason: `the stage's worktree has uncommitted changes: ${dirty
            .map((f) => f.path)
            .slice(0, 8)
            .join(', ')}`,
          conflicts: [],
        };
      } else {
        const result = await this.git.merge({
          branch,
          base,
          message: `Merge stage ${stageId}: ${stage.def.name}`,
        });
        outcome = result.ok
          ? { merged: true, commit: result.commit }
          : {
              merged: false,
              reason: `merge conflicts in ${result.conflicts.join(', ')}`,
              conflicts: result.conflicts,
            };
      }
    } catch (error) {
      if (!(error instanceof FluxError)) throw error;
      outcome = { merged: false, reason: error.message, conflicts: [] };
    }
    const result = outcome;
    await this.commitAndRun((current) =>
      settle(current, [
        result.merged
          ? { type: 'stage.merged', stage: stageId, commit: result.commit }
          : {
              type: 'stage.merge_failed',
              stage: stageId,
              reason: result.reason,
              conflicts: result.conflicts,
            },
      ]),
    );
    this.note(
      result.merged
        ? `${stageId}: merged into ${base} (${result.commit.slice(0, 8)})`
        : `${stageId}: not merged: ${result.reason}`,
    );
    return outcome;
  }

  /** After a merge: the tmux session, the worktree and the branch go; anything unmerged stays. */
  async cleanup(stageId: string): Promise<void> {
    const state = this.engine.load();
    const base = this.baseFor(state, stageId);
    const branch = this.branchName(stageId, state);
    const stage = state.stages[stageId];
    const session =
      stage?.session === null || stage === undefined ? undefined : state.sessions[stage.session];
    if (session !== undefined) await this.tmux.killSession(session.tmux).catch(() => false);
    try {
      await this.git.removeWorktree(this.worktreePath(stageId, state), { branch, base });
      await this.git.deleteBranch(branch, { base });
    } catch (error) {
      if (!(error instanceof FluxError)) throw error;
      this.note(`${stageId}: kept its worktree: ${error.message}`);
    }
  }
}
