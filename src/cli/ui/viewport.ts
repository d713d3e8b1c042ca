/**
 * How many lines of content each screen shows for the terminal's size: the
 * controller scrolls by them and the frame draws them, so both read them here.
 */
import type { Size, UiState } from './state.js';

/** Lines of the review screen's viewport: the screen less its title and footer. */
export function reviewViewport(size: Size): number {
  return Math.max(3, size.rows - 1 - 3);
}

/** Lines of the pane screen's viewport. */
export function paneViewport(size: Size): number {
  return Math.max(3, size.rows - 1 - 4);
}

/** Usable height: one line less than the terminal. */
export function height(state: UiState): number {
  return Math.max(6, state.size.rows - 1);
}
