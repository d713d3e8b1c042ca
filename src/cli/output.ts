/**
 * Terminal output: colour only on a TTY without NO_COLOR, text measured by
 * its display width (escape codes count nothing, wide characters two),
 * tables and prose fitted to the terminal's width, and a single place that
 * prints errors. The parts are in output/; this is the one import path the
 * commands use.
 */
export { paint, paintStatus, STATUS_STYLE, type Style } from './output/style.js';
export { displayWidth, terminalWidth, truncate } from './output/width.js';
export { wrap, type WrapOptions } from './output/wrap.js';
export { table, type TableOptions } from './output/table.js';
export { pointerLines, print, printError, printJson, say, warn } from './output/print.js';
