/**
 * Text measured by its display width (escape codes count nothing, wide
 * characters two), the width output is fitted to, and cutting text to a
 * width: what wrapping and tables are built on.
 */
import { charWidth } from './char-width.js';

/** Below this, fitting to the width does more harm than good. */
const MIN_WIDTH = 20;

/**
 * The width output is fitted to: `COLUMNS` when it is set to a whole number
 * (so a person or a script can choose), else the terminal's width, else 80
 * (a pipe or a file has none).
 */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  const fromEnv = Number(process.env.COLUMNS);
  const width =
    process.env.COLUMNS !== undefined && Number.isInteger(fromEnv) && fromEnv > 0
      ? fromEnv
      : stream.isTTY === true && stream.columns > 0
        ? stream.columns
        : 80;
  return Math.max(MIN_WIDTH, width);
}

// Escape sequences: CSI (colours, cursor moves) and OSC (titles, links).
// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/y;

/** The text as escape sequences (width 0) and characters with their widths. */
export function* pieces(text: string): Generator<{ text: string; width: number; escape: boolean }> {
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === 0x1b) {
      ESCAPE.lastIndex = i;
      const match = ESCAPE.exec(text);
      if (match !== null) {
        yield { text: match[0], width: 0, escape: true };
        i += match[0].length;
        continue;
      }
    }
    const cp = text.codePointAt(i)!;
    const char = String.fromCodePoint(cp);
    yield { text: char, width: charWidth(cp), escape: false };
    i += char.length;
  }
}

/** How many terminal columns the text takes: escape codes count nothing, wide characters two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const piece of pieces(text)) width += piece.width;
  return width;
}

const RESET = '\u001b[0m';

/**
 * The text cut to at most `width` columns, ending in `…` when it was cut.
 * Escape codes are kept (a cut inside a colour closes it).
 */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  let styled = false;
  for (const piece of pieces(text)) {
    if (piece.escape) {
      styled = true;
      out += piece.text;
      continue;
    }
    if (used + piece.width > width - 1) break;
    out += piece.text;
    used += piece.width;
  }
  return `${out}…${styled ? RESET : ''}`;
}
