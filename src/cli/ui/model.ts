/**
 * What the dashboard shows, derived from the folded state (pure): the header
 * (plan, progress, supervisor, cost), what waits on a person (statusView's
 * attention list, with the dashboard key that answers each item), and one
 * row per stage and task. Rebuilt on every append to the log; the screen
 * renders it.
 */
import type { BudgetCheck } from '../../engine/budget.js';
import { showsHosts, type UnreachableHost } from '../../engine/host-view.js';
import type { FluxState } from '../../engine/state.js';
import {
  statusView,
  type Attention,
  type StageRow,
  type StatusView,
  type TaskRow,
} from '../../engine/views.js';
import type { SessionStatus, StageStatus } from '../../machines/index.js';
import { stageCost, totalCost } from './cost.js';
import type { SupervisorState } from './supervisor.js';

export interface AttentionItem extends Attention {
  /** The dashboard keys that answer it (`a/d`, `v`, `m`, `r`, `enter`), or the command when no key does. */
  keys: string;
  /** What Flux suggests doing about the reason (a refused merge's hint). */
  hint: string | null;
}

export interface DashboardRow {
  id: string;
  kind: 'stage' | 'task';
  name: string;
  status: StageStatus;
  session: {
    id: string;
    status: SessionStatus;
    context: number | null;
    tmux: string;
    waiting: { tool: string; detail: string } | null;
  } | null;
  cost: number | null;
  /** The machine it is on (`local`, a host), null before its first session. */
  host: string | null;
  /** When its first session started (ISO), and when its work ended (merged), for the TIME column. */
  started: string | null;
  ended: string | null;
  dependencies: string[];
  waitingFor: string[];
  reason: string | null;
  hint: string | null;
  attention: AttentionItem | null;
}

export interface DashboardModel {
  title: string;
  planPath: string | null;
  baseBranch: string | null;
  progress: { merged: number; total: number };
  counts: Partial<Record<StageStatus, number>>;
  supervisor: SupervisorState;
  cost: number | null;
  attention: AttentionItem[];
  rows: DashboardRow[];
  /** The merge queue in merge order (`flux status`'s, docs/merge-queue.md). */
  queue: StatusView['queue'];
  /** Whether the table has a HOST column (some row on a host, or the config names hosts), and the hosts Flux cannot reach. */
  hosts: { column: boolean; unreachable: UnreachableHost[] };
  seq: number;
}

/** The key that does what the attention item's command does. */
function keysFor(item: Attention): string {
  const command = item.command;
  if (command.startsWith('flux approve')) return 'a approve · d deny';
  if (command.startsWith('flux verify')) return 'v review';
  if (command.startsWith('flux merge')) return 'm merge';
  if (command.startsWith('flux resume')) return 'r resume';
  if (command.startsWith('flux attach')) return 'enter attach';
  return command;
}

/**
 * From its first session's start; while an agent works on it (running,
 * needs_handoff) the clock runs, otherwise it stops where the work stopped:
 * its last session's end, or the stage's last change.
 */
function timing(state: FluxState, id: string): { started: string | null; ended: string | null } {
  const stage = state.stages[id]!;
  const sessions = stage.sessions.map((s) => state.sessions[s]).filter((s) => s !== undefined);
  const started = sessions[0]?.startedAt ?? null;
  if (started === null || stage.status === 'running' || stage.status === 'needs_handoff')
    return { started, ended: null };
  return { started, ended: sessions.at(-1)?.endedAt ?? stage.since };
}

/**
 * `budget`: the config's `[budget]` defaults and the time, as `flux status`
 * judges spend; `hosts`: the names of the config's `[hosts]`.
 */
export function buildModel(
  state: FluxState,
  supervisor: SupervisorState,
  budget: BudgetCheck = { defaults: {}, now: Date.now() },
  hosts: readonly string[] = [],
): DashboardModel {
  const view = statusView(state, budget);
  const attention = view.attention.map((item): AttentionItem => ({
    ...item,
    keys: keysFor(item),
    hint: state.stages[item.stage]?.hint ?? null,
  }));
  const attentionOf = new Map(attention.map((item) => [item.stage, item]));
  const row = (source: StageRow | TaskRow, kind: 'stage' | 'task'): DashboardRow => ({
    id: source.id,
    kind,
    name: source.name,
    status: source.status,
    session: source.session,
    cost: stageCost(state, source.id),
    host: source.host,
    ...timing(state, source.id),
    dependencies: 'dependencies' in source ? source.dependencies : [],
    waitingFor: 'waitingFor' in source ? source.waitingFor : [],
    reason: source.reason,
    hint: state.stages[source.id]?.hint ?? null,
    attention: attentionOf.get(source.id) ?? null,
  });
  const rows = [
    ...view.stages.map((r) => row(r, 'stage')),
    ...view.tasks.filter((r) => r.status !== 'merged').map((r) => row(r, 'task')),
  ];
  return {
    title: view.plan?.title ?? 'Flux',
    planPath: view.plan?.path ?? null,
    baseBranch: view.baseBranch,
    progress: view.progress,
    counts: view.counts,
    supervisor,
    cost: totalCost(state),
    attention,
    rows,
    queue: view.queue,
    hosts: {
      column: showsHosts(
        rows.map((r) => r.host),
        view.unreachable,
        hosts,
      ),
      unreachable: view.unreachable,
    },
    seq: view.seq,
  };
}
