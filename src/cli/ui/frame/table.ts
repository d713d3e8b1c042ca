/**
 * The table of stages: column widths for the terminal's width, the header,
 * one row per stage (state, session, host, context, cost, time, a note), and
 * the rows that fit, scrolled so the selection is in view.
 */
import { hostCell } from '../../../engine/host-view.js';
import { formatCost } from '../cost.js';
import type { DashboardModel, DashboardRow } from '../model.js';
import type { UiState } from '../state.js';
import { cut, elapsed, fit, meter } from '../text.js';
import { statusTone, text, type Line, type Segment, type Tone } from './segment.js';

export interface Columns {
  stage: number;
  state: number;
  session: number;
  /** 0: no HOST column. */
  host: number;
  context: number;
  cost: number;
  time: number;
  note: number;
}

/** The room the NOTE keeps before the HOST column gives way. */
const NOTE_KEPT = 12;
const HOST_MAX = 14;

/**
 * Column widths for the terminal's width: fixed cells (narrower under 100
 * columns, where the longest states are cut), COST only when some cost is
 * known or there is room, the stage id as wide as it needs (within reason),
 * and the note gets the rest. HOST (only where hosts are in use) takes its
 * room from the note, and is the first to go when the width is short.
 */
export function columns(
  width: number,
  rows: readonly DashboardRow[],
  hosts: DashboardModel['hosts'] = { column: false, unreachable: [] },
): Columns {
  const narrow = width < 100;
  const longest = Math.max(5, ...rows.map((row) => row.id.length));
  const cost = rows.some((row) => row.cost !== null) || width >= 120 ? 6 : 0;
  const fixed = { state: narrow ? 10 : 13, session: narrow ? 10 : 11, context: 9, cost, time: 6 };
  const others =
    2 + fixed.state + fixed.session + fixed.context + fixed.cost + fixed.time + (cost === 0 ? 5 : 6);
  const stage = Math.max(8, Math.min(longest, width >= 120 ? 28 : 16, width - others - 8));
  const note = Math.max(0, width - others - stage);
  const wanted = hosts.column
    ? Math.min(HOST_MAX, Math.max(4, ...rows.map((row) => hostCell(row.host, hosts.unreachable).length)))
    : 0;
  const host = wanted > 0 && note - (wanted + 1) >= NOTE_KEPT ? wanted : 0;
  return { stage, ...fixed, host, note: host === 0 ? note : note - host - 1 };
}

const SESSION_LABEL: Record<string, string> = { waiting_permission: 'permission' };

function noteFor(row: DashboardRow, conflicts: string[] | undefined): Segment {
  const waiting = row.session?.waiting;
  if (waiting !== null && waiting !== undefined)
    return text(`asks ${waiting.tool}: ${waiting.detail}`, { color: 'yellow' });
  if (conflicts !== undefined)
    return text(`conflict: ${conflicts.join(', ') || 'predicted'}`, { color: 'red' });
  if (row.status === 'pending' && row.waitingFor.length > 0)
    return text(`after ${row.waitingFor.join(', ')}`, { dim: true });
  if (row.reason !== null) return text(row.reason, { dim: true });
  if (row.kind === 'task') return text('task', { dim: true });
  return text('');
}

export function tableHeader(cols: Columns): Line {
  return [
    text(
      `  ${fit('STAGE', cols.stage)} ${fit('STATE', cols.state)} ${fit('SESSION', cols.session)} ${cols.host > 0 ? `${fit('HOST', cols.host)} ` : ''}${fit('CONTEXT', cols.context)} ${cols.cost > 0 ? `${fit('COST', cols.cost)} ` : ''}${fit('TIME', cols.time)} ${cols.note > 0 ? 'NOTE' : ''}`.trimEnd(),
      { bold: true },
    ),
  ];
}

export function tableRow(state: UiState, row: DashboardRow, cols: Columns): Line {
  const selected = row.id === state.selected;
  const session = row.session;
  const sessionText =
    session === null ? '' : (SESSION_LABEL[session.status] ?? session.status.replaceAll('_', ' '));
  const context = session?.context ?? null;
  const note = noteFor(row, state.conflicts[row.id]);
  const contextTone: Tone | undefined =
    context === null ? undefined : context >= 75 ? 'red' : context >= 50 ? 'yellow' : undefined;
  const line: Line = [
    text(selected ? '▸ ' : '  ', { color: 'cyan', bold: true }),
    text(fit(row.id, cols.stage), { bold: selected, inverse: selected }),
    text(' '),
    text(fit(row.status, cols.state), { color: statusTone(row.status) }),
    text(' '),
    text(fit(sessionText, cols.session), {
      color: session === null ? undefined : statusTone(session.status),
    }),
    text(' '),
  ];
  if (cols.host > 0) {
    const unreachable = state.model.hosts.unreachable;
    const cell = row.host === null ? '' : hostCell(row.host, unreachable);
    const away = unreachable.some((u) => u.host === row.host);
    line.push(
      text(fit(cell, cols.host), away ? { color: 'red' } : row.host === 'local' ? { dim: true } : {}),
      text(' '),
    );
  }
  line.push(text(fit(meter(context), cols.context), { color: contextTone }), text(' '));
  if (cols.cost > 0)
    line.push(
      text(fit(row.cost === null ? (session === null ? '' : '—') : formatCost(row.cost), cols.cost), {
        dim: row.cost === null,
      }),
      text(' '),
    );
  line.push(text(fit(elapsed(row.started, row.ended, state.now), cols.time)));
  if (cols.note > 0) line.push(text(' '), { ...note, text: cut(note.text, cols.note) });
  return line;
}

/** The rows that fit in `visible` lines, scrolled so the selection is in view. */
export function tableWindow(state: UiState, visible: number): DashboardRow[] {
  const rows = state.model.rows;
  if (rows.length <= visible) return rows;
  const at = Math.max(
    0,
    rows.findIndex((row) => row.id === state.selected),
  );
  const start = Math.max(0, Math.min(rows.length - visible, at - Math.floor(visible / 2)));
  return rows.slice(start, start + visible);
}
