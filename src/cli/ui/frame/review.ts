/**
 * The review screen: the scrolled output of the acceptance commands and the
 * diff, the verdict so far, and the keys (scrolling while it runs; approve,
 * reject, $PAGER once it is done).
 */
import type { ReviewScreen, UiState } from '../state.js';
import { cut } from '../text.js';
import { reviewViewport } from '../viewport.js';
import { keyBar } from './key-bar.js';
import { text, type Line } from './segment.js';

export function reviewLines(state: UiState, screen: ReviewScreen): Line[] {
  const width = state.size.columns;
  const view = reviewViewport(state.size);
  const shown = [...screen.lines, ...(screen.partial === '' ? [] : [screen.partial])].slice(
    screen.scroll,
    screen.scroll + view,
  );
  const total = screen.lines.length;
  const position =
    total === 0
      ? ''
      : ` ${Math.min(total, screen.scroll + 1)}–${Math.min(total, screen.scroll + view)} of ${total}`;
  const lines: Line[] = [
    [text(cut(`Review ${screen.id}${position}`, width), { bold: true })],
    ...shown.map((line): Line => [text(line)]),
  ];
  while (lines.length < view + 1) lines.push([]);
  let status: Line;
  if (screen.running) status = [text(state.busy ?? 'Running the acceptance commands…', { color: 'cyan' })];
  else if (state.busy !== null) status = [text(cut(state.busy, width), { color: 'cyan' })];
  else if (screen.passed === false)
    status = [
      text(cut('✗ Acceptance failed at verify time: look at the failures above before you approve.', width), {
        color: 'red',
      }),
    ];
  else status = [text(cut('Approve and merge, reject, or go back without recording anything.', width))];
  lines.push(status);
  lines.push(
    keyBar(
      screen.running
        ? [
            ['↑↓', 'scroll'],
            ['G', 'follow'],
            ['esc', 'back'],
          ]
        : [
            ['a', 'approve'],
            ['r', 'reject'],
            ['↑↓/space/b', 'scroll'],
            ['g/G', 'top/end'],
            ...(screen.diffArgs === null ? [] : ([['p', '$PAGER']] as Array<[string, string]>)),
            ['esc', 'back'],
          ],
      width,
    ),
  );
  return lines;
}
