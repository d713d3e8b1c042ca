/**
 * The main screen, laid out to the terminal's height: the header, what
 * waits on you, the table (or the DAG), the selected stage, the message and
 * the keys; the table and the details share what the fixed parts leave.
 */
import type { UiState } from '../state.js';
import { height } from '../viewport.js';
import { graphLines } from './dag.js';
import { detailLines, messageLines } from './detail.js';
import { attentionLines, headerLines } from './header.js';
import { keyBar } from './key-bar.js';
import { text, type Line } from './segment.js';
import { columns, tableHeader, tableRow, tableWindow } from './table.js';

/** The main screen's keys, in the order shown; the first ones are kept when the width is short. */
const MAIN_KEYS: Array<[string, string]> = [
  ['?', 'help'],
  ['q', 'quit'],
  ['a/d', 'allow/deny'],
  ['v', 'review'],
  ['m', 'merge'],
  ['r', 'resume'],
  ['enter', 'attach'],
  ['l', 'pane'],
  ['g', 'graph'],
  ['↑↓', 'select'],
];
const MAIN_ORDER = ['↑↓', 'enter', 'a/d', 'v', 'm', 'r', 'l', 'g', '?', 'q'];

/** The main screen: header, what waits on you, the table (or the DAG), the selected stage, the message, the keys. */
export function mainLines(state: UiState): Line[] {
  const graph = state.graph;
  const total = height(state);
  const tall = total >= 40;
  const header = headerLines(state);
  const attention = attentionLines(state, tall ? 8 : 4);
  const message = messageLines(state, tall ? 6 : 3);
  const footer = keyBar(MAIN_KEYS, state.size.columns, MAIN_ORDER);
  const fixed = header.length + 1 + (attention.length === 0 ? 0 : attention.length + 1) + message.length + 1;
  // The details take what the table leaves, up to a few lines; the table keeps its header and three rows.
  const available = total - fixed;
  const tableWants = 1 + (graph === null ? state.model.rows.length : graph.length);
  const details = detailLines(state, Math.min(tall ? 10 : 6, available - 1 - Math.min(tableWants, 4)));
  const tableHeight = Math.max(1, available - (details.length === 0 ? 0 : details.length + 1));
  const cols = columns(state.size.columns, state.model.rows, state.model.hosts);
  const body: Line[] =
    graph !== null
      ? graphLines(state, graph, tableHeight)
      : state.model.rows.length === 0
        ? [[text('No stages: `flux init <plan-path>` starts a plan.', { dim: true })]]
        : [
            tableHeader(cols),
            ...tableWindow(state, tableHeight - 1).map((row) => tableRow(state, row, cols)),
          ];
  const lines: Line[] = [...header, [], ...(attention.length === 0 ? [] : [...attention, []]), ...body];
  while (lines.length < total - message.length - 1 - (details.length === 0 ? 0 : details.length + 1))
    lines.push([]);
  if (details.length > 0) lines.push([text('─'.repeat(state.size.columns), { dim: true })], ...details);
  lines.push(...message);
  while (lines.length < total - 1) lines.push([]);
  lines.push(footer);
  return lines.slice(0, total);
}
