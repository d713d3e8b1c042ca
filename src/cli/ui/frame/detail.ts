/**
 * Under the table: the selected stage's details (what it asks, why it
 * stopped, a predicted conflict, the keys that act on it), and the message
 * of the last action (or what is running now).
 */
import { unreachableLine } from '../../../engine/host-view.js';
import type { UiState } from '../state.js';
import { cut, wrap } from '../text.js';
import { text, type Line, type Segment, type Tone } from './segment.js';

export function detailLines(state: UiState, max: number): Line[] {
  const row = state.model.rows.find((r) => r.id === state.selected);
  if (row === undefined || max <= 0) return [];
  const width = state.size.columns;
  const head = [
    row.name === row.id ? row.id : `${row.id}: ${row.name}`,
    row.dependencies.length === 0 ? '' : `after ${row.dependencies.join(', ')}`,
    // Before the session, whose tmux name is long and cut first.
    row.host === null || row.host === 'local' ? '' : `on ${row.host}`,
    row.session === null
      ? ''
      : `${row.session.id}${row.session.tmux === '' ? ' (started by hand)' : ` in tmux ${row.session.tmux}`}`,
  ]
    .filter((part) => part !== '')
    .join(' · ');
  const lines: Line[] = [[text(cut(head, width), { bold: true })]];
  const add = (value: string, style: Omit<Segment, 'text'> = {}): void => {
    for (const part of wrap(value, width, Math.max(1, max - lines.length)))
      if (lines.length < max) lines.push([text(part, style)]);
  };
  const away = state.model.hosts.unreachable.find((host) => host.host === row.host);
  if (away !== undefined) add(unreachableLine(away, state.now), { color: 'red' });
  const waiting = row.session?.waiting;
  if (waiting !== null && waiting !== undefined)
    add(`asks permission for ${waiting.tool}: ${waiting.detail}`, { color: 'yellow' });
  if (row.reason !== null) add(`reason: ${row.reason}`);
  if (row.hint !== null) add(`hint: ${row.hint}`, { color: 'cyan' });
  const conflicts = state.conflicts[row.id];
  if (conflicts !== undefined)
    add(`merge preview: would conflict in ${conflicts.join(', ') || '(unknown files)'}`, { color: 'red' });
  if (row.attention !== null)
    add(waiting ? `→ ${row.attention.keys}` : `→ ${row.attention.what} [${row.attention.keys}]`, {
      color: 'yellow',
    });
  return lines;
}

export function messageLines(state: UiState, max: number): Line[] {
  const width = state.size.columns;
  if (state.busy !== null) return [[text(cut(state.busy, width), { color: 'cyan' })]];
  if (state.message === null) return [];
  const tone: Tone | undefined =
    state.message.tone === 'error' ? 'red' : state.message.tone === 'ok' ? 'green' : undefined;
  const wrapped = state.message.lines.flatMap((line) => wrap(line, width));
  const shown = wrapped.length > max ? [...wrapped.slice(0, max - 1), '… (esc clears)'] : wrapped;
  return shown.map((line, i) => [text(line, i === 0 ? { color: tone } : {})]);
}
