/**
 * What `flux status` (and the live view of `flux run`) shows, derived from
 * the folded state: progress, one row per stage, and what waits on a person.
 */
import { reportsThroughHooks } from '../agents/protocol.js';
import type { SessionStatus, StageStatus } from '../machines/index.js';
import type { Budget } from '../plan/types.js';
import { planLimits, planSpend, type BudgetCheck, type BudgetUse } from './budget.js';
import { budgetAttention, budgetFields, spendFields } from './budget-view.js';
import { RUN_DEFAULTS } from './defaults.js';
import { stageMachine, unreachableHosts, type UnreachableHost } from './host-view.js';
import type { FluxState, SessionState, StageState } from './state.js';
import { currentSession, mergeQueue, tasksOf, unmergedDependencies } from './state.js';
import { mergeRow, queueRows, type MergeRow, type QueueRow } from './merge-view.js';

export interface StageRow {
  id: string;
  name: string;
  status: StageStatus;
  dependencies: string[];
  /** Dependencies not merged yet. */
  waitingFor: string[];
  session: {
    id: string;
    status: SessionStatus;
    /** The agent: `claude`, `sim` or a command agent's name. */
    agent: string;
    /** What it is doing, as shown to a person (see `sessionActivity`). */
    activity: string;
    context: number | null;
    tmux: string;
    waiting: { tool: string; detail: string } | null;
  } | null;
  reason: string | null;
  /** Its worktree's setup (docs/setup.md), when it has one; `failed` says which command and how. */
  setup: SetupRow | null;
  since: string;
  /** The machine it is on: `local`, a `[hosts.<name>]`, or null before its first session (docs/hosts.md). */
  host: string | null;
  /** Where it is in landing: queued, being checked, or not landing and why (docs/merge-queue.md); null otherwise. */
  merge: MergeRow | null;
  /** What its sessions have spent, in US dollars; null when none reported a cost (shown as "—"). */
  cost_usd: number | null;
  /** Its tokens so far (input + output); null when none reported. */
  tokens: number | null;
  /** Minutes of its sessions' wall time. */
  minutes: number;
  /** The limits that hold for it (the config's defaults, the plan's, a person's raises); `{}`: none. */
  budget: Budget;
  /** Why no new session starts for it: its budget or the plan's is spent. */
  budget_reached: { scope: 'stage' | 'plan'; kind: BudgetUse['kind']; spent: number; limit: number } | null;
}

export interface SetupRow {
  status: 'running' | 'passed' | 'failed';
  /** The full output, relative to `.work/`. */
  log: string;
  /** The command that failed (or the copy that could not be made), with its exit and its output's last lines. */
  failed: {
    command: string | null;
    exitCode: number | null;
    timedOut: boolean;
    tail: string;
    error: string | null;
  } | null;
}

/** How many lines of a failed setup command's output `flux status` shows (the log has all of it). */
export const SETUP_TAIL_LINES = 12;

function setupRow(stage: StageState): SetupRow | null {
  const setup = stage.setup;
  if (setup === null) return null;
  const last = setup.results.at(-1);
  const commandFailed = last !== undefined && (last.exit_code !== 0 || last.timed_out);
  return {
    status: setup.status,
    log: setup.log,
    failed:
      setup.status !== 'failed'
        ? null
        : {
            command: commandFailed ? last.command : null,
            exitCode: commandFailed ? last.exit_code : null,
            timedOut: commandFailed ? last.timed_out : false,
            tail: commandFailed ? last.output_tail.split('\n').slice(-SETUP_TAIL_LINES).join('\n') : '',
            error: setup.error,
          },
  };
}

/** An ad hoc task (`flux task run`): a stage outside the plan, with its own worktree and branch. */
export interface TaskRow {
  id: string;
  name: string;
  status: StageStatus;
  session: StageRow['session'];
  reason: string | null;
  setup: SetupRow | null;
  since: string;
  /** Tasks run on this machine: `local` once a session started, null before. */
  host: string | null;
  cost_usd: number | null;
  tokens: number | null;
  minutes: number;
  budget: Budget;
  budget_reached: StageRow['budget_reached'];
  worktree: string;
  branch: string;
  base: string;
  placement: 'pane' | 'session';
}

export interface Attention {
  stage: string;
  /** What the person is asked for. */
  what: string;
  /** The command that answers it. */
  command: string;
}

export interface StatusView {
  plan: { path: string; title: string } | null;
  baseBranch: string | null;
  progress: { merged: number; total: number };
  counts: Partial<Record<StageStatus, number>>;
  stages: StageRow[];
  /** Ad hoc tasks, oldest first (merged ones too). */
  tasks: TaskRow[];
  attention: Attention[];
  /** The merge queue, in merge order: what lands next, and what is being checked. */
  queue: QueueRow[];
  /** Hosts Flux cannot reach now, with ssh's words and since when (docs/hosts.md). */
  unreachable: UnreachableHost[];
  /** The plan's spend (its stages', not the tasks') and its own limits. */
  cost_usd: number | null;
  tokens: number | null;
  minutes: number;
  budget: Budget;
  seq: number;
}

/**
 * What a session is doing, as shown to a person: its status, except that a
 * command agent (`[agents.<name>]`), which sends no hooks and so never leaves
 * `starting` in the log, shows as `running` once Flux has launched it in
 * tmux: a launch that fails is recorded as crashed at once, and its exit (the
 * exit reporter) or a vanished tmux session (the liveness check) ends it.
 */
export function sessionActivity(session: { status: string; agent: string; tmux: string }): string {
  if (session.status === 'starting' && session.tmux !== '' && !reportsThroughHooks(session.agent))
    return 'running';
  return session.status;
}

/** A session's id without its stage's (or task's) prefix, for a row that names the stage: `s2` for `stage-1-models.s2`. */
export function shortSession(id: string, owner: string): string {
  return id.startsWith(`${owner}.`) ? id.slice(owner.length + 1) : id;
}

function sessionRow(session: SessionState | null, stage: StageState): StageRow['session'] {
  if (session === null) return null;
  const settingUp = stage.setup?.status === 'running' && stage.setup.session === session.id;
  return {
    id: session.id,
    status: session.status,
    agent: session.agent,
    activity: settingUp && session.status === 'starting' ? 'setting up' : sessionActivity(session),
    context: session.context,
    tmux: session.tmux,
    waiting: session.waiting,
  };
}

/** An open permission question of a stage's or task's session: answered with approve / deny. */
function permissionAttention(id: string, session: StageRow['session']): Attention | null {
  if (session === null || session.waiting === null) return null;
  return {
    stage: id,
    what: `permission for ${session.waiting.tool}: ${session.waiting.detail}`,
    command: `flux approve ${id} / flux deny ${id} --reason …`,
  };
}

function attentionFor(state: FluxState, row: StageRow): Attention | null {
  const { id } = row;
  const asking = permissionAttention(id, row.session);
  if (asking !== null) return asking;
  const budget = budgetAttention(row);
  if (budget !== null) return budget;
  switch (row.status) {
    case 'completed':
      // A foreseen conflict is with its agent first.
      if (row.merge?.state === 'returned') return null;
      return state.stages[id]?.def.gate === 'human'
        ? {
            stage: id,
            what:
              row.merge?.state === 'resolved'
                ? `${row.merge.cause === 'conflict' ? 'conflict resolved' : 'checks fixed'}: review the resolution and approve or reject`
                : 'review and approve or reject',
            command: `flux verify ${id}`,
          }
        : null;
    case 'verified':
      // Sent back to its agent: nobody needs to act yet.
      return row.reason === null || row.merge?.state === 'returned'
        ? null
        : { stage: id, what: `merge did not happen: ${row.reason}`, command: `flux merge ${id}` };
    case 'blocked':
      return {
        stage: id,
        what: `blocked${row.reason === null ? '' : `: ${row.reason}`}`,
        command: `flux resume ${id}`,
      };
    case 'failed':
      return {
        stage: id,
        what: `failed${row.reason === null ? '' : `: ${row.reason}`}`,
        command: `flux resume ${id}`,
      };
    case 'running': {
      const stalled = stalledSession(state, row.session?.id ?? null);
      return stalled === null ? null : { stage: id, what: stalled.what, command: stalled.command(id) };
    }
    default:
      return null;
  }
}

/**
 * Why a running stage's session cannot go on without a person, or null while
 * it can: it crashed, or ended, before the stage was done; it stopped and was
 * reminded as often as Flux reminds; or it was prepared for a person to start
 * by hand (`flux run --manual`) and has not reported yet.
 */
export function stalledSession(
  state: FluxState,
  sessionId: string | null,
  stopReminders: number = RUN_DEFAULTS.stop_reminders,
): { what: string; command: (stage: string) => string } | null {
  const session = sessionId === null ? undefined : state.sessions[sessionId];
  if (session === undefined) return null;
  switch (session.status) {
    case 'crashed':
      return {
        what: `its session crashed (${session.endReason ?? 'no reason'})`,
        command: (id) => `flux resume ${id}`,
      };
    case 'ended':
      return { what: 'its session ended before the stage was done', command: (id) => `flux resume ${id}` };
    case 'idle':
      return session.reminders >= stopReminders
        ? {
            what: 'its agent stopped without finishing (reminded already)',
            command: (id) => `flux attach ${id}`,
          }
        : null;
    case 'starting':
      return session.tmux === ''
        ? {
            what: 'prepared for you to start its agent by hand',
            command: () => 'the command `flux run --manual` printed',
          }
        : null;
    default:
      return null;
  }
}

function taskAttention(row: TaskRow): Attention | null {
  const { id, session } = row;
  const asking = permissionAttention(id, session);
  if (asking !== null) return asking;
  const budget = budgetAttention(row);
  if (budget !== null) return budget;
  const why = row.reason === null ? '' : `: ${row.reason}`;
  switch (row.status) {
    case 'completed':
      return { stage: id, what: 'task done: review and merge it', command: `flux task cleanup ${id}` };
    case 'verified':
      return { stage: id, what: `merge did not happen${why}`, command: `flux task status ${id}` };
    case 'needs_handoff':
      return { stage: id, what: 'handed off: continue in a fresh session', command: `flux resume ${id}` };
    case 'failed':
    case 'blocked':
      return { stage: id, what: `${row.status}${why}`, command: `flux task status ${id}` };
    case 'running':
      return session?.status === 'crashed'
        ? { stage: id, what: 'its session crashed', command: `flux task status ${id}` }
        : null;
    default:
      return null;
  }
}

/** `budget`: the `[budget]` defaults of the config and the time; without it, no defaults and now. */
export function statusView(state: FluxState, budget?: BudgetCheck): StatusView {
  const check = budget ?? { defaults: {}, now: Date.now() };
  const queue = mergeQueue(state);
  const stages = state.order.map((id): StageRow => {
    const stage = state.stages[id]!;
    return {
      id,
      name: stage.def.name,
      status: stage.status,
      dependencies: stage.def.dependencies,
      waitingFor: unmergedDependencies(state, id),
      session: sessionRow(currentSession(state, stage), stage),
      reason: stage.reason,
      setup: setupRow(stage),
      since: stage.since,
      host: stageMachine(state, id),
      merge: mergeRow(stage, queue),
      ...budgetFields(state, id, check),
    };
  });
  const counts: Partial<Record<StageStatus, number>> = {};
  for (const row of stages) counts[row.status] = (counts[row.status] ?? 0) + 1;
  const tasks = tasksOf(state).map((task): TaskRow => ({
    id: task.id,
    name: task.def.name,
    status: task.status,
    session: sessionRow(currentSession(state, task), task),
    reason: task.reason,
    setup: setupRow(task),
    since: task.since,
    host: stageMachine(state, task.id),
    ...budgetFields(state, task.id, check),
    worktree: task.task.worktree,
    branch: task.task.branch,
    base: task.task.base,
    placement: task.task.placement,
  }));
  return {
    plan: state.plan === null ? null : { path: state.plan.path, title: state.plan.title },
    baseBranch: state.baseBranch,
    progress: { merged: counts.merged ?? 0, total: stages.length },
    counts,
    stages,
    tasks,
    attention: [
      ...stages.map((row) => attentionFor(state, row)),
      ...tasks.map((row) => taskAttention(row)),
    ].filter((a): a is Attention => a !== null),
    queue: queueRows(state, queue),
    unreachable: unreachableHosts(state),
    ...spendFields(planSpend(state, check.now)),
    budget: planLimits(state),
    seq: state.seq,
  };
}
