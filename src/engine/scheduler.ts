/**
 * Which stages get a session now (pure). A stage is started when it is
 * ready, needs a fresh session after a handoff, was rejected, was sent back
 * by the merge queue (a conflict, failed checks), or is running
 * with a session that died (restarted at most MAX_CRASH_RESTARTS times in a
 * row), while fewer than `maxParallel` sessions are alive.
 *
 * When more stages are ready than there are free slots, the one with the
 * longest remaining chain goes first: its own `estimate` (minutes, default
 * 1) plus the longest chain of the stages that depend on it, directly or
 * not (critical-path list scheduling); ties go by plan order. Stages already
 * in progress go before fresh ones. docs/plan-format.md#scheduling.
 */
import { randomUUID } from 'node:crypto';
import { takesAgentSessionId } from '../agents/protocol.js';
import type { NewEvent } from '../log/events.js';
import { toSessionName } from '../plan/stage-id.js';
import { LOCAL_HOST } from './hosts.js';
import { budgetHold, reachedEvent, type BudgetCheck, type BudgetDefaults } from './budget.js';

export type { BudgetCheck };
import { settle, type Decision } from './decide.js';
import {
  currentSession,
  isTask,
  liveSessions,
  sessionAlive,
  tasksOf,
  type FluxState,
  type SessionState,
  type StageState,
} from './state.js';
import { nextTaskTarget, taskAgent } from './task.js';

export const MAX_CRASH_RESTARTS = 2;

export interface StartOptions {
  maxParallel: number;
  /** Only this stage (`flux run --stage`). */
  only?: string;
  agent: string;
  sessionPrefix: string;
  /** Sessions a person starts by hand: no tmux session (`flux run --manual`). */
  manual?: boolean;
  /** The `[budget]` defaults: a stage whose budget (or the plan's) is spent gets no new session. */
  budget?: BudgetDefaults;
  /** Milliseconds since the epoch, for the minutes spent; `Date.now()` when absent. */
  now?: number;
  /** Where sessions may run besides this machine (`run.hosts`); absent: all here (docs/hosts.md). */
  machines?: Machines;
}

/** `run.hosts` in order, each host's `max_parallel`, and the stages pinned by `[stages.<id>] host`. */
export interface Machines {
  order: readonly string[];
  /** Sessions at once per host; `local` takes `maxParallel`. */
  slots: Readonly<Record<string, number>>;
  pins: Readonly<Record<string, string>>;
}

function crashedInARow(state: FluxState, stage: StageState): number {
  let count = 0;
  for (const id of [...stage.sessions].reverse()) {
    if (state.sessions[id]?.status !== 'crashed') break;
    count++;
  }
  return count;
}

/**
 * Why a stage wants a session now, or null. With `budget`, a stage whose
 * budget or the plan's is spent wants none: it waits on a person (`flux budget`).
 */
export function wantsSession(
  state: FluxState,
  stage: StageState,
  budget?: BudgetCheck,
): 'ready' | 'handoff' | 'rejected' | 'crashed' | 'resolve' | null {
  const why = wantsSessionAnyway(state, stage);
  if (why === null || budget === undefined) return why;
  return budgetHold(state, stage, budget.defaults, budget.now) === null ? why : null;
}

function wantsSessionAnyway(
  state: FluxState,
  stage: StageState,
): 'ready' | 'handoff' | 'rejected' | 'crashed' | 'resolve' | null {
  switch (stage.status) {
    case 'ready':
      return 'ready';
    case 'verified':
    case 'completed':
      // The merge queue sent it back (a conflict to resolve, checks to make pass), or a conflict is foreseen.
      return stage.resolution?.due === true ? 'resolve' : null;
    case 'needs_handoff':
      return 'handoff';
    case 'rejected':
      return 'rejected';
    case 'running': {
      // A crash is restarted (a few times); a session a person or the agent ended is not: `flux resume` is.
      const session = currentSession(state, stage);
      const crashed = session === null || session.status === 'crashed';
      return crashed && crashedInARow(state, stage) <= MAX_CRASH_RESTARTS ? 'crashed' : null;
    }
    default:
      return null;
  }
}

/** The tmux session of a plan stage's sessions: the configured prefix and the stage id. */
export function tmuxNameFor(prefix: string, stage: string): string {
  return toSessionName(`${prefix}${stage}`);
}

/** The events that start one stage's next session. */
export function startEvents(
  state: FluxState,
  stage: StageState,
  agent: string,
  sessionPrefix: string,
  manual = false,
  host: string = LOCAL_HOST,
): NewEvent[] {
  const session = `${stage.id}.s${stage.sessions.length + 1}`;
  // One live session per stage: the one that handed off (or is being replaced) is over now.
  const previous = currentSession(state, stage);
  const ending: NewEvent[] =
    previous !== null && sessionAlive(previous)
      ? [{ type: 'session.ended', session: previous.id, reason: `replaced by ${session}` }]
      : [];
  const handoff = stage.status === 'needs_handoff' ? stage.handoffs.at(-1) : undefined;
  const resolving = resolvingFor(stage, previous);
  return [
    ...ending,
    { type: 'stage.started', stage: stage.id, session },
    {
      type: 'session.started',
      session,
      stage: stage.id,
      agent,
      tmux: manual ? '' : isTask(stage) ? nextTaskTarget(state, stage) : tmuxNameFor(sessionPrefix, stage.id),
      // Chosen here, so it is in the log before the agent starts and speaks with it.
      ...(takesAgentSessionId(agent) ? { agent_session_id: randomUUID() } : {}),
      ...(handoff === undefined ? {} : { handoff }),
      ...(stage.status === 'rejected' && stage.reason !== null ? { feedback: stage.reason } : {}),
      ...(resolving === undefined ? {} : { resolving }),
      ...(host === LOCAL_HOST ? {} : { host }),
    },
  ];
}

/**
 * Whether the next session resolves a merge: one the queue sent back, or one
 * that carries on a resolver session (after a crash, a handoff, a resume).
 */
function resolvingFor(stage: StageState, previous: SessionState | null): 'conflict' | 'checks' | undefined {
  if (stage.status === 'verified' || stage.status === 'completed')
    return stage.resolution?.due === true ? stage.resolution.cause : undefined;
  if (stage.status === 'rejected' || stage.resolution === null || stage.resolution === undefined)
    return undefined;
  return previous?.resolving ?? undefined;
}

/**
 * `budget.reached` for each stage held back by a spent budget (its own, or,
 * once, the plan's), unless that limit is recorded as reached already.
 */
function heldEvents(state: FluxState, stages: readonly StageState[], check: BudgetCheck): NewEvent[] {
  const events: NewEvent[] = [];
  let planTold = false;
  for (const stage of stages) {
    const hold = budgetHold(state, stage, check.defaults, check.now);
    if (hold === null) continue;
    if (hold.scope === 'stage') {
      const event = reachedEvent(stage.budget?.reached, hold.use, stage.id);
      if (event !== null) events.push(event);
    } else if (!planTold) {
      planTold = true;
      const event = reachedEvent(state.planBudget?.reached, hold.use, undefined);
      if (event !== null) events.push(event);
    }
  }
  return events;
}

/** A stage's weight on the critical path: its `estimate` in minutes, 1 when it has none. */
export function stageWeight(stage: { def: { estimate?: number | undefined } }): number {
  return stage.def.estimate ?? 1;
}

/**
 * Every plan stage's remaining chain: its weight plus the longest remaining
 * chain among the stages that depend on it (0 past the last). The plan is
 * acyclic (`flux init` refuses cycles), so the recursion ends.
 */
export function remainingChains(state: FluxState): Map<string, number> {
  const dependents = new Map<string, string[]>(state.order.map((id) => [id, []]));
  for (const id of state.order)
    for (const dep of state.stages[id]!.def.dependencies) dependents.get(dep)?.push(id);
  const chains = new Map<string, number>();
  const chainOf = (id: string): number => {
    const known = chains.get(id);
    if (known !== undefined) return known;
    const after = Math.max(0, ...dependents.get(id)!.map(chainOf));
    const chain = stageWeight(state.stages[id]!) + after;
    chains.set(id, chain);
    return chain;
  };
  for (const id of state.order) chainOf(id);
  return chains;
}

/**
 * The order in which stages that want a session get one: those in progress
 * (handoff, rejected, crashed) in plan order, then ready ones, longest
 * remaining chain first, ties in plan order. With `budget`, a stage held
 * by a spent budget is left out.
 */
export function startOrder(
  state: FluxState,
  only?: string,
  budget?: BudgetCheck,
): { stage: StageState; why: NonNullable<ReturnType<typeof wantsSession>> }[] {
  const wanting = state.order
    .map((id) => state.stages[id]!)
    .filter((stage) => only === undefined || stage.id === only)
    .map((stage) => ({ stage, why: wantsSession(state, stage, budget) }))
    .filter((c): c is { stage: StageState; why: NonNullable<typeof c.why> } => c.why !== null);
  const inProgress = wanting.filter((c) => c.why !== 'ready');
  const ready = wanting.filter((c) => c.why === 'ready');
  if (ready.length > 1) {
    const chains = remainingChains(state);
    // Array.prototype.sort is stable: equal chains keep plan order.
    ready.sort((a, b) => chains.get(b.stage.id)! - chains.get(a.stage.id)!);
  }
  return [...inProgress, ...ready];
}

/** The machine a session runs on: a host's name, or `local`. */
export function machineOf(session: SessionState | null | undefined): string {
  return session?.host ?? LOCAL_HOST;
}

/**
 * Where a stage's next session goes, or null (it waits): a pinned stage only
 * on its pin; a stage that has run stays where its worktree is, unless that
 * host cannot be reached (then it is placed afresh, from the branch as far
 * as it came back); a new one on the first machine of `run.hosts` with a
 * free slot. An unreachable host takes nothing.
 */
export function placeStage(
  state: FluxState,
  stage: StageState,
  machines: Machines,
  free: Readonly<Record<string, number>>,
): string | null {
  const usable = (name: string) => (free[name] ?? 0) > 0 && state.unreachable?.[name] === undefined;
  const pin = machines.pins[stage.id];
  if (pin !== undefined) return usable(pin) ? pin : null;
  const last = stage.sessions.length === 0 ? null : machineOf(state.sessions[stage.sessions.at(-1)!]);
  if (last !== null && state.unreachable?.[last] === undefined && machines.order.includes(last))
    return usable(last) ? last : null;
  return machines.order.find(usable) ?? null;
}

/** Free slots per machine: its slots less its live sessions. */
function freeSlots(state: FluxState, machines: Machines, maxParallel: number): Record<string, number> {
  const free: Record<string, number> = {};
  for (const name of machines.order)
    free[name] = name === LOCAL_HOST ? maxParallel : (machines.slots[name] ?? 0);
  for (const session of liveSessions(state)) {
    const name = machineOf(session);
    if (free[name] !== undefined) free[name]--;
  }
  return free;
}

/** Every session here: `local` alone, with `maxParallel` slots. */
const HERE_ONLY: Machines = { order: [LOCAL_HOST], slots: {}, pins: {} };

/**
 * The starts due now: each stage that wants a session, in `startOrder`, goes
 * where `placeStage` says, or waits. Sessions started by hand are this
 * machine's (a person runs them here).
 */
export function decideStarts(state: FluxState, options: StartOptions): Decision {
  const machines = options.manual === true ? HERE_ONLY : (options.machines ?? HERE_ONLY);
  const free = freeSlots(state, machines, options.maxParallel);
  const check: BudgetCheck = { defaults: options.budget ?? {}, now: options.now ?? Date.now() };
  const wanting = state.order
    .map((id) => state.stages[id]!)
    .filter((stage) => options.only === undefined || stage.id === options.only)
    .filter((stage) => wantsSession(state, stage) !== null);
  const proposed: NewEvent[] = heldEvents(state, wanting, check);
  for (const { stage } of startOrder(state, options.only, check)) {
    const host = placeStage(state, stage, machines, free);
    if (host === null) continue;
    proposed.push(
      ...startEvents(state, stage, options.agent, options.sessionPrefix, options.manual === true, host),
    );
    free[host]!--;
  }
  proposed.push(...taskHandoffs(state, options, check));
  return settle(state, proposed);
}

/**
 * Ad hoc tasks start with `flux task run`, never here, and take no slot;
 * what applies to every session does apply: a task that handed off continues.
 */
function taskHandoffs(state: FluxState, options: StartOptions, check: BudgetCheck): NewEvent[] {
  const proposed: NewEvent[] = [];
  if (options.manual === true) return proposed;
  for (const task of tasksOf(state)) {
    if (options.only !== undefined && task.id !== options.only) continue;
    if (wantsSession(state, task) !== 'handoff') continue;
    proposed.push(...heldEvents(state, [task], check));
    if (wantsSession(state, task, check) === 'handoff')
      proposed.push(
        ...startEvents(state, task, taskAgent(state, task, options.agent), options.sessionPrefix),
      );
  }
  return proposed;
}
