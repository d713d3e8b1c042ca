/**
 * What is drawn over a screen: the help (every key and the command it
 * stands for) and the input line for a reason.
 */
import type { UiState } from '../state.js';
import { fit, wrap } from '../text.js';
import { height } from '../viewport.js';
import { text, type Line } from './segment.js';

export const HELP: Array<[string, string]> = [
  ['↑/↓, j/k', 'select a stage (PgUp/PgDn, Home/End; tab: the next one waiting on you)'],
  ['enter', 'attach to its tmux session (detach with Ctrl+B D to come back)'],
  ['a', 'allow what its agent asks permission for (flux approve)'],
  ['d', 'deny it, with a reason for the agent (flux deny)'],
  ['v', 'review it: acceptance, commits, diff; then a approve and merge, r reject (flux verify)'],
  ['m', 'merge an approved stage (flux merge)'],
  ['r', 'a fresh session for a stage that stopped (flux resume)'],
  ['l', 'the last lines of its pane, live'],
  ['g', 'the DAG instead of the table (flux graph show)'],
  ['c', 'predict merge conflicts again (git merge-tree)'],
  ['esc', 'clear the message; leave a screen'],
  ['?', 'this help'],
  ['q', 'quit (Ctrl+C too); the agents keep running'],
];

export function helpLines(state: UiState): Line[] {
  const width = state.size.columns;
  const keyWidth = Math.max(...HELP.map(([key]) => key.length));
  const lines: Line[] = [[text('Keys', { bold: true })], []];
  for (const [key, what] of HELP) {
    const wrapped = wrap(what, Math.max(10, width - keyWidth - 4));
    lines.push([text(`  ${fit(key, keyWidth)}  `, { color: 'cyan', bold: true }), text(wrapped[0] ?? '')]);
    for (const more of wrapped.slice(1)) lines.push([text(`  ${' '.repeat(keyWidth)}  ${more}`)]);
  }
  lines.push(
    [],
    [text('Every key does what the command in brackets does. esc or ? closes this.', { dim: true })],
  );
  return lines.slice(0, height(state));
}

export function inputLines(state: UiState): Line[] {
  const overlay = state.overlay;
  if (overlay?.kind !== 'input') return [];
  const width = state.size.columns;
  return [
    ...wrap(overlay.prompt, width, 3).map((line): Line => [text(line, { bold: true })]),
    [text('> ', { color: 'cyan' }), text(overlay.value), text(' ', { inverse: true })],
    overlay.error === null
      ? [text('enter sends · esc cancels', { dim: true })]
      : [text(overlay.error, { color: 'red' })],
  ];
}
