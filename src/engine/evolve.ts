/**
 * Folding the log: `evolve` is the only function that changes state. It
 * moves each stage and session through the lookup tables compiled from the
 * machines (so replay is fast and agrees with XState), and records the data
 * the events carry. An event its machine refuses is a damaged log: it throws
 * TransitionError. It mutates and returns the state it is given (replay
 * folds a million events).
 */
import { TransitionError } from '../errors.js';
import type { FluxEvent, StageEvent } from '../log/events.js';
import {
  nextSessionStatus,
  nextStageStatus,
  sessionTransitionError,
  stageTransitionError,
} from '../machines/lifecycle.js';
import type { Plan, StageDef } from '../plan/types.js';
import { foldBudgetEvent } from './evolve-budget.js';
import { foldHostEvent } from './evolve-host.js';
import { foldMergeEvent, foldMergeQueue, noMergeQueue } from './evolve-merge.js';
import {
  emptyBudget,
  initialState,
  type BudgetState,
  type FluxState,
  type SessionState,
  type StageState,
} from './state.js';

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
    setup: null,
    acceptance: null,
    mergedCommit: null,
    ...noMergeQueue(),
    since: at,
    budget: emptyBudget(),
  };
}

/** The budget record of a stage, or of the plan when `stage` is absent. */
function budgetOf(state: FluxState, stage: string | undefined, eventType: string): BudgetState {
  if (stage === undefined) return (state.planBudget ??= emptyBudget());
  return (stageOf(state, stage, eventType).budget ??= emptyBudget());
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
    case 'host.unreachable':
    case 'host.reachable':
      foldHostEvent(state, event);
      return state;
    case 'budget.reached':
    case 'budget.raised':
      foldBudgetEvent(budgetOf(state, event.stage, event.type), event);
      return state;
    case 'review.recorded':
      stageOf(state, event.stage, event.type).acceptance = event.results;
      return state;
    case 'setup.started':
      stageOf(state, event.stage, event.type).setup = {
        session: event.session,
        status: 'running',
        commands: event.commands,
        log: event.log,
        copied: [],
        results: [],
        error: null,
      };
      return state;
    case 'setup.finished': {
      const stage = stageOf(state, event.stage, event.type);
      stage.setup = {
        session: event.session,
        status: event.passed ? 'passed' : 'failed',
        commands: stage.setup?.commands ?? event.results.map((result) => result.command),
        log: stage.setup?.log ?? '',
        copied: event.copied,
        results: event.results,
        error: event.error ?? null,
      };
      return state;
    }
    case 'cleanup.failed':
      stageOf(state, event.stage, event.type).cleanupFailed = event.reason;
      return state;
    case 'merge.conflict_predicted':
    case 'merge.checking':
      foldMergeEvent(stageOf(state, event.stage, event.type), event);
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
        resolving: event.resolving ?? null,
        host: event.host ?? null,
        reminders: 0,
        costUsd: null,
        tokens: null,
        costAt: null,
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
    foldMergeQueue(stage, event as StageEvent);
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
    case 'session.cost':
      session.costUsd = sessionEvent.usd;
      session.tokens = sessionEvent.tokens ?? session.tokens ?? null;
      session.costAt = sessionEvent.at;
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
