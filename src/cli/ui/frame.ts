/**
 * The screens as lines of styled segments, computed from the dashboard's
 * state and the terminal's size (pure): every line fits the width, and the
 * main screen is exactly one line shorter than the terminal (a frame as tall
 * as the terminal would make Ink clear the screen on every redraw). The
 * components in components/ only turn these into Ink elements.
 *
 * Each screen and part is a file of frame/; this picks the screen that is up.
 */
import type { UiState } from './state.js';
import { height } from './viewport.js';
import { mainLines } from './frame/main.js';
import { helpLines, inputLines } from './frame/overlays.js';
import { paneLines } from './frame/pane.js';
import { reviewLines } from './frame/review.js';
import type { Line } from './frame/segment.js';

export type { Line, Segment, Tone } from './frame/segment.js';

/** The whole frame: the screen that is up, with the help or the input line over it. */
export function frameLines(state: UiState): Line[] {
  const screen = state.screen;
  let lines =
    screen.kind === 'review'
      ? reviewLines(state, screen)
      : screen.kind === 'pane'
        ? paneLines(state, screen.id, screen.lines)
        : mainLines(state);
  if (state.overlay?.kind === 'help') lines = helpLines(state);
  if (state.overlay?.kind === 'input') {
    const input = inputLines(state);
    lines = [...lines.slice(0, Math.max(0, lines.length - input.length)), ...input];
  }
  const total = height(state);
  while (lines.length < total) lines.push([]);
  return lines.slice(0, total);
}
