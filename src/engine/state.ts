/**
 * The state every command works from: the log folded event by event.
 *
 * `evolve` is the only function that changes state. It moves each stage and
 * session through the lookup tables compiled from the machines (so replay is
 * fast and agrees with XState), and records the data the events carry.
 * An event its machine refuses is a damaged log: it throws TransitionError.
 * It mutates and returns the state it is given (replay folds a million events).
 */
import { TransitionError } from '../errors.js';
import type { AcceptanceResult, FluxEvent } from '../log/events.js';
import {
  nextSessionStatus,
  nextStageStatus,
  sessionTransitionError,
  stageTransitionError,
} from '../machines/lifecycle.js';
import type { SessionStatus } from '../machines/session-states.js';
import type { StageStatus } from '../machines/stage-states.js';
import type { Plan, StageDef } from '../plan/types.js';

/** Bumped whenever the shape of FluxState changes: it invalidates snapshot caches. */
export const STATE_VERSION = 3;

export interface StageState {
  id: string;
  def: StageDef;
  status: StageStatus;
  /** The session assigned now (kept after it ends, for status and resume). */
  session: string | null;
  /** Every session this stage has had, oldest first. */
  sessions: string[];
  /** Handoff documents written for this stage, relative to `.work/`. */
  handoffs: string[];
  /** Why it was last rejected, blocked, failed or not merged. */
  reason: string | null;
  /** What a person does about `reason`, when Flux knows (a refused merge). */
  hint: string | null;
  /** Why its worktree or branch could not be removed after the merge (`cleanup.failed`). */
  cleanupFailed: string | null;
  /** The last acceptance run recorded for it. */
  acceptance: AcceptanceResult[] | null;
  mergedCommit: string | null;
  /** Time of the last event that changed it. */
  since: string;
  /** `task` for an ad hoc task (`flux task run`); absent for the plan's stages. */
  kind?: 'task';
  /** Where an ad hoc task works; absent for the plan's stages. */
  task?: TaskInfo;
}

/** An ad hoc task's own worktree, branch and tmux placement (`task.created`). */
export interface TaskInfo {
  worktree: string;
  branch: string;
  base: string;
  placement: 'pane' | 'session';
  tmuxSession: string;
  createdAt: string;
}

export interface SessionState {
  id: string;
  stage: string;
  agent: string;
  tmux: string;
  agentSessionId: string | null;
  status: SessionStatus;
  /** Context used, in percent; null until the agent's status line reports it. */
  context: number | null;
  /** The context window in tokens, once the status line has said. */
  window: number | null;
  /** What it asks permission for, while waiting_permission. */
  waiting: { tool: string; detail: string } | null;
  /** The last answer a person gave through Flux, and the event's seq (the waiting hook looks for it). */
  answer: { decision: 'allow' | 'deny'; reason: string | null; seq: number } | null;
  handoff: string | null;
  /** The reviewer's reason, when this session follows a rejection. */
  feedback: string | null;
  /** Stops answered with a reminder so far. */
  reminders: number;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  since: string;
}

export interface FluxState {
  plan: Plan | null;
  baseBranch: string | null;
  /** Stage ids in plan order (ad hoc tasks are in `stages` but not here). */
  order: string[];
  stages: Record<string, StageState>;
  sessions: Record<string, SessionState>;
  /** Keys of the notifications sent (`notification.sent`): each is sent once. */
  notified: Record<string, true>;
  seq: number;
}

export function initialState(): FluxState {
  return { plan: null, baseBranch: null, order: [], stages: {}, sessions: {}, notified: {}, seq: 0 };
}

function newStage(def: StageDef, at: string): StageState {
  return {
    id: def.id,
    def,
    status: 'pending',
    session: null,
    sessions: [],
    handoffs: [],
    reason: null,
    hint: null,
    cleanupFailed: null,
    acceptance: null,
    mergedCommit: null,
    since: at,
  };
}

function stageOf(state: FluxState, id: string, eventType: string): StageState {
  const stage = state.stages[id];
  if (stage === undefined) {
    throw new TransitionError({ entity: 'stage', id, state: 'unknown', eventType, accepts: [] });
  }
  return stage;
}

function sessionOf(state: FluxState, id: string, eventType: string): SessionState {
  const session = state.sessions[id];
  if (session === undefined) {
    throw new TransitionError({
      entity: 'session',
      id,
      state: 'unknown',
      eventType,
      accepts: ['session.started'],
    });
  }
  return session;
}

function applyPlan(state: FluxState, plan: Plan, at: string): void {
  const next: Record<string, StageState> = {};
  for (const def of plan.stages) {
    const existing = state.stages[def.id];
    next[def.id] = existing === undefined ? newStage(def, at) : { ...existing, def };
  }
  // Ad hoc tasks are not part of the plan: a plan change keeps them.
  for (const [id, stage] of Object.entries(state.stages)) {
    if (stage.kind === 'task' && next[id] === undefined) next[id] = stage;
  }
  state.plan = plan;
  state.order = plan.stages.map((def) => def.id);
  state.stages = next;
}

function moveStage(stage: StageState, eventType: string, at: string): void {
  const next = nextStageStatus(stage.status, eventType);
  if (next === undefined) throw stageTransitionError(stage.id, stage.status, eventType);
  if (next !== stage.status) stage.since = at;
  stage.status = next;
}

function moveSession(session: SessionState, eventType: string, at: string): void {
  const next = nextSessionStatus(session.status, eventType);
  if (next === undefined) throw sessionTransitionError(session.id, session.status, eventType);
  if (next !== session.status) session.since = at;
  session.status = next;
}

export function evolve(state: FluxState, event: FluxEvent): FluxState {
  state.seq = event.seq;
  switch (event.type) {
    case 'plan.initialized':
      state.baseBranch = event.base_branch;
      applyPlan(state, event.plan, event.at);
      return state;
    case 'plan.updated':
      applyPlan(state, event.plan, event.at);
      return state;
    case 'task.created': {
      const id = event.task.id;
      if (state.stages[id] !== undefined) {
        throw new TransitionError({
          entity: 'stage',
          id,
          state: state.stages[id]!.status,
          eventType: event.type,
          accepts: [],
        });
      }
      state.stages[id] = {
        ...newStage(event.task, event.at),
        kind: 'task',
        task: {
          worktree: event.worktree,
          branch: event.branch,
          base: event.base,
          placement: event.placement,
          tmuxSession: event.tmux_session,
          createdAt: event.at,
        },
      };
      return state;
    }
    case 'notification.sent':
      (state.notified ??= {})[event.key] = true;
      return state;
    case 'review.recorded':
      stageOf(state, event.stage, event.type).acceptance = event.results;
      return state;
    case 'cleanup.failed':
      stageOf(state, event.stage, event.type).cleanupFailed = event.reason;
      return state;
    case 'session.started': {
      if (state.sessions[event.session] !== undefined) {
        throw new TransitionError({
          entity: 'session',
          id: event.session,
          state: state.sessions[event.session]!.status,
          eventType: event.type,
          accepts: [],
        });
      }
      stageOf(state, event.stage, event.type);
      state.sessions[event.session] = {
        id: event.session,
        stage: event.stage,
        agent: event.agent,
        tmux: event.tmux,
        agentSessionId: event.agent_session_id ?? null,
        status: 'starting',
        context: null,
        window: null,
        waiting: null,
        answer: null,
        handoff: event.handoff ?? null,
        feedback: event.feedback ?? null,
        reminders: 0,
        startedAt: event.at,
        endedAt: null,
        endReason: null,
        since: event.at,
      };
      return state;
    }
    default:
      break;
  }

  if (event.type.startsWith('stage.')) {
    const stageEvent = event as Extract<FluxEvent, { stage: string }>;
    const stage = stageOf(state, stageEvent.stage, event.type);
    moveStage(stage, event.type, event.at);
    stage.hint = null;
    switch (event.type) {
      case 'stage.started':
        stage.session = event.session;
        stage.sessions.push(event.session);
        stage.reason = null;
        break;
      case 'stage.handoff_requested':
        stage.handoffs.push(event.handoff);
        break;
      case 'stage.acceptance_failed':
        stage.acceptance = event.results;
        break;
      case 'stage.completed':
        stage.acceptance = event.results ?? stage.acceptance;
        stage.reason = null;
        break;
      case 'stage.rejected':
      case 'stage.failed':
      case 'stage.blocked':
        stage.reason = event.reason;
        break;
      case 'stage.merge_failed':
        stage.reason = event.reason;
        stage.hint = event.hint ?? null;
        break;
      case 'stage.merged':
        stage.mergedCommit = event.commit;
        stage.reason = null;
        break;
      case 'stage.reset':
        stage.reason = event.reason ?? null;
        break;
      default:
        break;
    }
    return state;
  }

  const sessionEvent = event as Extract<FluxEvent, { type: `session.${string}` }>;
  const session = sessionOf(state, sessionEvent.session, event.type);
  moveSession(session, event.type, event.at);
  switch (sessionEvent.type) {
    case 'session.context':
      session.context = sessionEvent.percent;
      session.window = sessionEvent.window ?? session.window;
      break;
    case 'session.reminded':
      session.reminders++;
      break;
    case 'session.permission_answered':
      session.answer = {
        decision: sessionEvent.decision,
        reason: sessionEvent.reason ?? null,
        seq: sessionEvent.seq,
      };
      session.waiting = null;
      break;
    case 'session.waiting_permission':
      session.waiting = { tool: sessionEvent.tool, detail: sessionEvent.detail };
      break;
    case 'session.ended':
    case 'session.crashed':
      session.endedAt = sessionEvent.at;
      session.endReason = sessionEvent.reason;
      session.waiting = null;
      break;
    case 'session.working':
    case 'session.idle':
      // The agent went on: the permission question was answered (in its pane).
      session.waiting = null;
      break;
    default:
      break;
  }
  return state;
}

export function replay(events: Iterable<FluxEvent>, from: FluxState = initialState()): FluxState {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
}

/** Dependencies of `id` that are not merged yet. */
export function unmergedDependencies(state: FluxState, id: string): string[] {
  const stage = state.stages[id];
  if (stage === undefined) return [];
  return stage.def.dependencies.filter((dep) => state.stages[dep]?.status !== 'merged');
}

/** Stages that list `id` as a dependency, in plan order. */
export function dependentsOf(state: FluxState, id: string): string[] {
  return state.order.filter((other) => state.stages[other]?.def.dependencies.includes(id));
}

/**
 * Sessions that are still alive according to the log: the plan's, and those
 * of ad hoc tasks too with `{ tasks: true }`. The plan's scheduler and the
 * monitor count only the plan's: a task runs beside the plan, not in its slots.
 */
export function liveSessions(state: FluxState, options: { tasks?: boolean } = {}): SessionState[] {
  return Object.values(state.sessions).filter(
    (s) =>
      s.status !== 'ended' &&
      s.status !== 'crashed' &&
      (options.tasks === true || state.stages[s.stage]?.kind !== 'task'),
  );
}

/** Whether a stage is an ad hoc task (`flux task run`) rather than one of the plan's. */
export function isTask(
  stage: StageState | undefined,
): stage is StageState & { kind: 'task'; task: TaskInfo } {
  return stage?.kind === 'task' && stage.task !== undefined;
}

/** The ad hoc tasks, oldest first. */
export function tasksOf(state: FluxState): (StageState & { kind: 'task'; task: TaskInfo })[] {
  return Object.values(state.stages).filter(isTask);
}

/** Accepts a snapshot's JSON as a FluxState when it has the right shape (the snapshot cache is never trusted blindly). */
export function asFluxState(raw: unknown): FluxState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const candidate = raw as Partial<FluxState>;
  const ok =
    Array.isArray(candidate.order) &&
    typeof candidate.stages === 'object' &&
    candidate.stages !== null &&
    typeof candidate.sessions === 'object' &&
    candidate.sessions !== null &&
    typeof candidate.seq === 'number' &&
    candidate.order.every((id) => typeof candidate.stages![id]?.status === 'string');
  return ok ? (candidate as FluxState) : undefined;
}
