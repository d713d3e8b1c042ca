/**
 * The pane screen: the last lines of a stage's tmux pane, live, with the
 * key to attach to it.
 */
import type { UiState } from '../state.js';
import { cut } from '../text.js';
import { height, paneViewport } from '../viewport.js';
import { messageLines } from './detail.js';
import { keyBar } from './key-bar.js';
import { text, type Line } from './segment.js';

export function paneLines(state: UiState, id: string, pane: readonly string[]): Line[] {
  const width = state.size.columns;
  const view = paneViewport(state.size);
  const row = state.model.rows.find((r) => r.id === id);
  const tmux = row?.session?.tmux ?? '';
  const where =
    row?.host === null || row?.host === undefined || row.host === 'local' ? '' : ` on ${row.host}`;
  const shown = pane.slice(-view);
  const lines: Line[] = [
    [text(cut(`Pane of ${id}${tmux === '' ? '' : ` (tmux ${tmux}${where})`}, live`, width), { bold: true })],
    [text('─'.repeat(width), { dim: true })],
    ...shown.map((line): Line => [text(cut(line, width))]),
  ];
  while (lines.length < view + 2) lines.push([]);
  lines.push(...messageLines(state, 1));
  while (lines.length < height(state) - 1) lines.push([]);
  lines.push(
    keyBar(
      [
        ['enter', 'attach'],
        ['esc/l', 'back'],
        ['?', 'help'],
      ],
      width,
    ),
  );
  return lines;
}
