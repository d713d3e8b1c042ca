/**
 * `flux status <stage> [--json]`: one stage (or ad hoc task) in full: its
 * state, dependencies, current session, the machine it is on (and whether
 * that host can be reached), its worktree (`box1:/path` on a host), branch,
 * spend, every session it has had, and what to do next. Like `flux status`,
 * it only reads; on a host it asks where Flux's folder is there.
 */
import { formatAmount } from '../engine/budget.js';
import { budgetDefaultsAt, loadConfig } from '../engine/config.js';
import { Engine } from '../engine/engine.js';
import {
  clockTime,
  hostCell,
  sessionMachine,
  unreachableLine,
  type UnreachableHost,
} from '../engine/host-view.js';
import { describeHost } from '../engine/hosts.js';
import { requireStage } from '../engine/lookup.js';
import type { FluxState } from '../engine/state.js';
import { nextStepFor } from '../engine/verify.js';
import { sessionActivity, shortSession, statusView, type StageRow, type TaskRow } from '../engine/views.js';
import { ConfigError } from '../errors.js';
import { STAGE_BRANCH_PREFIX } from '../paths.js';
import { paint, paintStatus, print, printJson, terminalWidth, wrap } from './output.js';
import { shownWorktree, type ShownWorktree } from '../engine/runtime/host-views.js';

export interface StageDetail {
  row: StageRow | TaskRow;
  kind: 'stage' | 'task';
  /** `box1 (me@box1.lan:2222)` for a host the config names; null here or before the first session. */
  hostShown: string | null;
  /** Its host, when Flux cannot reach it. */
  unreachable: UnreachableHost | null;
  /** Null once merged and cleaned up (the worktree is gone). */
  worktree: ShownWorktree | null;
  branch: string;
  base: string | null;
  sessions: { id: string; status: string; host: string; startedAt: string; endedAt: string | null }[];
  /** What waits on a person for it, or what comes next. */
  next: { what: string; command: string | null };
}

/** The config's words for the view (the host's ssh target, the base branch), or none when it cannot be read. */
function lenientConfig(configPath: string): ReturnType<typeof loadConfig> | null {
  try {
    return loadConfig(configPath);
  } catch (error) {
    if (error instanceof ConfigError) return null;
    throw error;
  }
}

export async function stageDetail(engine: Engine, state: FluxState, id: string): Promise<StageDetail> {
  const stage = requireStage(state, id);
  const config = lenientConfig(engine.ws.configPath);
  const view = statusView(state, { defaults: budgetDefaultsAt(engine.ws.configPath), now: Date.now() });
  const stageRow = view.stages.find((r) => r.id === id);
  const row = stageRow ?? view.tasks.find((r) => r.id === id)!;
  const host = row.host;
  const hostConfig = host === null ? undefined : config?.hosts[host];
  const attention = view.attention.find((a) => a.stage === id);
  const cleaned = stage.status === 'merged' && stage.cleanupFailed === null;
  return {
    row,
    kind: stageRow === undefined ? 'task' : 'stage',
    hostShown: host === null || hostConfig === undefined ? host : describeHost(host, hostConfig),
    unreachable: view.unreachable.find((u) => u.host === host) ?? null,
    worktree: cleaned ? null : await shownWorktree(engine, state, id),
    branch: stage.task?.branch ?? `${STAGE_BRANCH_PREFIX}${id}`,
    base: stage.task?.base ?? (config?.run.base_branch || state.baseBranch),
    sessions: stage.sessions
      .map((s) => state.sessions[s])
      .filter((s) => s !== undefined)
      .map((s) => ({
        id: s.id,
        status: s.status,
        host: sessionMachine(s),
        startedAt: s.startedAt,
        endedAt: s.endedAt,
      })),
    next:
      attention === undefined
        ? { what: nextStepFor(state, stage), command: null }
        : { what: attention.what, command: attention.command },
  };
}

export async function showStage(id: string, options: { json?: boolean }): Promise<number> {
  const engine = Engine.open();
  const detail = await stageDetail(engine, engine.load(), id);
  if (options.json === true) {
    const { row, ...rest } = detail;
    printJson({ ...row, ...rest });
  } else print(renderStageDetail(detail));
  return 0;
}

const LABEL = 10;

export function renderStageDetail(
  detail: StageDetail,
  width: number = terminalWidth(),
  now: number = Date.now(),
): string {
  const { row } = detail;
  const lines: string[] = [paint(row.name === row.id ? row.id : `${row.id}: ${row.name}`, 'bold')];
  const field = (label: string, value: string): void => {
    lines.push(
      ...wrap(value, width, { indent: `  ${label.padEnd(LABEL)} `, hangingIndent: ' '.repeat(LABEL + 3) }),
    );
  };
  field('state', `${paintStatus(row.status)} since ${clockTime(row.since, now)}`);
  if ('dependencies' in row && row.dependencies.length > 0)
    field(
      'after',
      `${row.dependencies.join(', ')}${row.waitingFor.length === 0 ? ' (merged)' : ` (waiting for ${row.waitingFor.join(', ')})`}`,
    );
  if (row.session !== null) {
    const session = row.session;
    const parts = [
      `${session.id} ${paintStatus(sessionActivity(session))}`,
      session.tmux === '' ? 'started by hand' : `tmux ${session.tmux}`,
      ...(session.context === null ? [] : [`context ${Math.round(session.context)}%`]),
    ];
    field('session', parts.join(' · '));
  }
  if (row.host !== null) {
    const shown = detail.hostShown ?? row.host;
    field(
      'host',
      detail.unreachable === null
        ? shown
        : `${shown.replace(row.host, hostCell(row.host, [detail.unreachable]))}: ${paint(unreachableLine(detail.unreachable, now), 'red')}`,
    );
  }
  field(
    'worktree',
    detail.worktree === null ? paint('removed after the merge', 'dim') : detail.worktree.shown,
  );
  field('branch', `${detail.branch}${detail.base === null ? '' : ` → ${detail.base}`}`);
  const spent = [
    row.cost_usd === null ? null : formatAmount('usd', row.cost_usd),
    row.tokens === null ? null : formatAmount('tokens', row.tokens),
    row.minutes > 0 ? formatAmount('minutes', row.minutes) : null,
  ].filter((part) => part !== null);
  if (spent.length > 0) field('spent', spent.join(' · '));
  if (detail.sessions.length > 0)
    field(
      'sessions',
      detail.sessions
        .map((s) => `${shortSession(s.id, row.id)} ${s.status}${s.host === 'local' ? '' : ` on ${s.host}`}`)
        .join(', '),
    );
  if (row.reason !== null) field('reason', row.reason);
  lines.push('');
  lines.push(
    ...(detail.next.command === null
      ? wrap(`Next: ${detail.next.what}`, width)
      : wrap(`Waiting on you: ${detail.next.what}  →  ${paint(detail.next.command, 'cyan')}`, width)),
  );
  return lines.join('\n');
}
