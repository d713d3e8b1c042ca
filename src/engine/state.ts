/**
 * The state every command works from: the log folded event by event (by
 * `evolve`, in `evolve.ts`), and the questions every layer asks of it.
 */
import type { AcceptanceResult, BudgetKind } from '../log/events.js';
import { sessionOver, type SessionStatus } from '../machines/session-states.js';
import type { StageStatus } from '../machines/stage-states.js';
import type { Budget, Plan, StageDef } from '../plan/types.js';

/** Bumped whenever the shape of FluxState changes: it invalidates snapshot caches. */
export const STATE_VERSION = 5;

/** What the log says of a stage's (or the plan's) budget: `budget.raised` and `budget.reached`. */
export interface BudgetState {
  /** The limits a person set with `flux budget`, over the plan's and the config's. */
  raised: Budget;
  /** The last `budget.reached` recorded, until a raise clears it. */
  reached: { kind: BudgetKind; spent: number; limit: number } | null;
}

export function emptyBudget(): BudgetState {
  return { raised: {}, reached: null };
}

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
  /** Its current worktree's setup (`setup.started`/`setup.finished`); null before any. */
  setup: SetupState | null;
  /** The last acceptance run recorded for it. */
  acceptance: AcceptanceResult[] | null;
  mergedCommit: string | null;
  /** The seq of its approval (`stage.verified`): the merge queue's order after dependencies. */
  queuedSeq?: number | null;
  /** The merge queue is checking its merge commit (`merge.checking`), until merged or failed. */
  checking?: { commit: string; base: string; since: string } | null;
  /** The last time the queue could not land it (a conflict, failed checks), kept until merged or reset. */
  resolution?: Resolution | null;
  /** Time of the last event that changed it. */
  since: string;
  /** `task` for an ad hoc task (`flux task run`); absent for the plan's stages. */
  kind?: 'task';
  /** Where an ad hoc task works; absent for the plan's stages. */
  task?: TaskInfo;
  /** Raises and the budget reached (docs/budgets.md); absent in states built before budgets. */
  budget?: BudgetState;
}

/** A worktree's setup as the log tells it (docs/setup.md). */
export interface SetupState {
  session: string;
  status: 'running' | 'passed' | 'failed';
  commands: string[];
  /** The full output, relative to `.work/`. */
  log: string;
  copied: string[];
  results: AcceptanceResult[];
  error: string | null;
}

/** Why the merge queue could not land a stage, and what it did about it (docs/merge-queue.md). */
export interface Resolution {
  cause: 'conflict' | 'checks';
  reason: string;
  /** The conflicting files (cause `conflict`). */
  conflicts: string[];
  /** The checks' results on the merged tree (cause `checks`). */
  results: AcceptanceResult[];
  /** The branch head that did not land: the resolution is what the branch has since. */
  head: string | null;
  /** How many times the queue sent it back to its agent so far. */
  attempts: number;
  /** A session of the stage is to start for it (sent back, not started yet). */
  due: boolean;
  /** Sent back to its agent (`agent`), or waiting for a person (`person`). */
  next: 'agent' | 'person';
  /** Foreseen by `git merge-tree` before its review (`merge.conflict_predicted`), not met by a merge. */
  predicted?: boolean;
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
  /** Started by the merge queue: to resolve a conflict with the base, or to make the checks pass. */
  resolving?: 'conflict' | 'checks' | null;
  /** The host it runs on (`[hosts.<name>]`); null: this machine. */
  host?: string | null;
  /** Stops answered with a reminder so far. */
  reminders: number;
  /** What it has spent, in US dollars, as its status line last reported (`session.cost`); null until then. */
  costUsd?: number | null;
  /** Its tokens so far (input + output), as last reported; null until then. */
  tokens?: number | null;
  /** When its last `session.cost` was recorded (the hook records one at most every few seconds). */
  costAt?: string | null;
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
  /** The plan-wide budget's raises and whether it was reached. */
  planBudget?: BudgetState;
  /** Hosts Flux could not reach, with ssh's words and since when (`host.unreachable`, until `host.reachable`). */
  unreachable?: Record<string, { reason: string; since: string }>;
  seq: number;
}

export function initialState(): FluxState {
  return {
    plan: null,
    baseBranch: null,
    order: [],
    stages: {},
    sessions: {},
    notified: {},
    planBudget: emptyBudget(),
    seq: 0,
  };
}

/** Dependencies of `id` that are not merged yet. */
export function unmergedDependencies(state: FluxState, id: string): string[] {
  const stage = state.stages[id];
  if (stage === undefined) return [];
  return stage.def.dependencies.filter((dep) => state.stages[dep]?.status !== 'merged');
}

/** How deep in the dependency graph a stage is (0: no dependencies): the queue merges shallow stages first. */
function depthOf(state: FluxState, id: string, memo: Map<string, number>, seen = new Set<string>()): number {
  const known = memo.get(id);
  if (known !== undefined) return known;
  if (seen.has(id)) return 0;
  seen.add(id);
  const deps = state.stages[id]?.def.dependencies ?? [];
  const depth = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => depthOf(state, dep, memo, seen)));
  memo.set(id, depth);
  return depth;
}

/**
 * The merge queue: the plan's approved stages waiting to land, in the order
 * they are merged — dependency order, then approval order, then plan order.
 * A stage whose last merge failed is not in it (it is with its agent or a person).
 */
export function mergeQueue(state: FluxState): string[] {
  const memo = new Map<string, number>();
  const queued = state.order.filter((id) => {
    const stage = state.stages[id]!;
    return stage.status === 'verified' && stage.reason === null;
  });
  const position = new Map(state.order.map((id, index) => [id, index]));
  return queued.sort(
    (a, b) =>
      depthOf(state, a, memo) - depthOf(state, b, memo) ||
      (state.stages[a]!.queuedSeq ?? 0) - (state.stages[b]!.queuedSeq ?? 0) ||
      position.get(a)! - position.get(b)!,
  );
}

/** Nothing left to merge: every stage (ad hoc tasks too) is merged. */
export function allMerged(state: FluxState): boolean {
  return Object.values(state.stages).every((stage) => stage.status === 'merged');
}

/** Stages that list `id` as a dependency, in plan order. */
export function dependentsOf(state: FluxState, id: string): string[] {
  return state.order.filter((other) => state.stages[other]?.def.dependencies.includes(id));
}

/**
 * Whether a session is alive according to the log: it has not ended or
 * crashed. (Whether its agent still runs is for tmux to say.)
 */
export function sessionAlive(session: { status: string } | null | undefined): boolean {
  return session !== null && session !== undefined && !sessionOver(session.status);
}

/** The stage's current session (kept after it ends, for status and resume), if it has one. */
export function currentSession(state: FluxState, stage: StageState): SessionState | null {
  return stage.session === null ? null : (state.sessions[stage.session] ?? null);
}

/** The host a stage's worktree is on (its last session's); null: this machine. */
export function stageHost(state: FluxState, stage: string): string | null {
  const last = state.stages[stage]?.sessions.at(-1);
  return last === undefined ? null : (state.sessions[last]?.host ?? null);
}

/** The hosts the log has stages on (plan stages and tasks), sorted; `merged: false` leaves merged stages out. */
export function hostsOfStages(state: FluxState, options: { merged: boolean }): string[] {
  const names = new Set<string>();
  for (const [id, stage] of Object.entries(state.stages)) {
    if (!options.merged && stage.status === 'merged') continue;
    const host = stageHost(state, id);
    if (host !== null) names.add(host);
  }
  return [...names].sort();
}

/**
 * Sessions that are still alive according to the log: the plan's, and those
 * of ad hoc tasks too with `{ tasks: true }`. The plan's scheduler and the
 * monitor count only the plan's: a task runs beside the plan, not in its slots.
 */
export function liveSessions(state: FluxState, options: { tasks?: boolean } = {}): SessionState[] {
  return Object.values(state.sessions).filter(
    (s) => sessionAlive(s) && (options.tasks === true || state.stages[s.stage]?.kind !== 'task'),
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
