/**
 * What `flux status` (and the live view of `flux run`) shows, derived from
 * the folded state: progress, one row per stage, and what waits on a person.
 */
import { reportsThroughHooks } from '../agents/protocol.js';
import type { SessionStatus, StageStatus } from '../machines/index.js';
import { RUN_DEFAULTS } from './defaults.js';
import type { FluxState, SessionState, StageState } from './state.js';
import { currentSession, mergeQueue, tasksOf, unmergedDependencies } from './state.js';

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
  since: string;
  /** Where it is in landing: queued, being checked, or not landing and why (docs/merge-queue.md); null otherwise. */
  merge: MergeRow | null;
}

/**
 * A stage on its way into the base: `queued` (position from 1), `checking`
 * (its merge commit in the integration worktree), `returned` (sent back to its
 * agent: a session is due or working on it), `resolved` (its agent's
 * resolution waits for review), or `waiting` (a person must act).
 */
export interface MergeRow {
  state: 'queued' | 'checking' | 'returned' | 'resolved' | 'waiting';
  position: number | null;
  /** The merge commit being checked (`checking`). */
  commit: string | null;
  /** `conflict` or `checks` when it could not land; null otherwise. */
  cause: 'conflict' | 'checks' | null;
  conflicts: string[];
  /** Checks that failed on the merged tree. */
  failed: string[];
  /** Times it was sent back to its agent so far. */
  attempts: number;
}

/** An ad hoc task (`flux task run`): a stage outside the plan, with its own worktree and branch. */
export interface TaskRow {
  id: string;
  name: string;
  status: StageStatus;
  session: StageRow['session'];
  reason: string | null;
  since: string;
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
  queue: Array<{ stage: string; position: number; state: 'queued' | 'checking'; since: string }>;
  seq: number;
}

function mergeRow(stage: StageState, queue: readonly string[]): MergeRow | null {
  const resolution = stage.resolution ?? null;
  const at = queue.indexOf(stage.id);
  const base = {
    position: at === -1 ? null : at + 1,
    commit: null,
    cause: resolution?.cause ?? null,
    conflicts: resolution?.conflicts ?? [],
    failed: (resolution?.results ?? []).filter((r) => r.timed_out || r.exit_code !== 0).map((r) => r.command),
    attempts: resolution?.attempts ?? 0,
  };
  if (at !== -1) {
    const checking = stage.checking ?? null;
    return checking === null
      ? { ...base, state: 'queued' }
      : { ...base, state: 'checking', commit: checking.commit };
  }
  if (resolution === null) return null;
  if (stage.status === 'verified') return { ...base, state: resolution.due ? 'returned' : 'waiting' };
  if (resolution.next !== 'agent') return null;
  if (stage.status === 'completed') return { ...base, state: resolution.due ? 'returned' : 'resolved' };
  return ['running', 'needs_handoff'].includes(stage.status) ? { ...base, state: 'returned' } : null;
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

function sessionRow(session: SessionState | null): StageRow['session'] {
  if (session === null) return null;
  return {
    id: session.id,
    status: session.status,
    agent: session.agent,
    activity: sessionActivity(session),
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

export function statusView(state: FluxState): StatusView {
  const queue = mergeQueue(state);
  const stages = state.order.map((id): StageRow => {
    const stage = state.stages[id]!;
    return {
      id,
      name: stage.def.name,
      status: stage.status,
      dependencies: stage.def.dependencies,
      waitingFor: unmergedDependencies(state, id),
      session: sessionRow(currentSession(state, stage)),
      reason: stage.reason,
      since: stage.since,
      merge: mergeRow(stage, queue),
    };
  });
  const counts: Partial<Record<StageStatus, number>> = {};
  for (const row of stages) counts[row.status] = (counts[row.status] ?? 0) + 1;
  const tasks = tasksOf(state).map((task): TaskRow => ({
    id: task.id,
    name: task.def.name,
    status: task.status,
    session: sessionRow(currentSession(state, task)),
    reason: task.reason,
    since: task.since,
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
    queue: queue.map((id, index) => {
      const stage = state.stages[id]!;
      const checking = stage.checking ?? null;
      return {
        stage: id,
        position: index + 1,
        state: checking === null ? 'queued' : 'checking',
        since: checking?.since ?? stage.since,
      };
    }),
    seq: state.seq,
  };
}
