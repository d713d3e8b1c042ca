/**
 * Prose broken into lines that fit a width, at spaces, with an indent for
 * the first line and another for the rest (a word longer than a line is
 * broken where it must be).
 */
import { displayWidth, pieces, terminalWidth } from './width.js';

/** Splits a word into parts of at most `width` columns (for a word longer than a line). */
function breakWord(word: string, width: number): string[] {
  const parts: string[] = [];
  let part = '';
  let used = 0;
  for (const piece of pieces(word)) {
    if (!piece.escape && used + piece.width > width && used > 0) {
      parts.push(part);
      part = '';
      used = 0;
    }
    part += piece.text;
    used += piece.width;
  }
  if (part !== '') parts.push(part);
  return parts;
}

export interface WrapOptions {
  /** Put before the first line (counted in the width). */
  indent?: string;
  /** Put before every later line (default: `indent`). */
  hangingIndent?: string;
}

/**
 * Prose broken into lines of at most `width` columns at spaces; a word
 * longer than a line is broken where it must be. Newlines in the text are
 * kept. Returns the lines, without a trailing newline.
 */
export function wrap(text: string, width: number = terminalWidth(), options: WrapOptions = {}): string[] {
  const first = options.indent ?? '';
  const later = options.hangingIndent ?? first;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = lines.length === 0 ? first : later;
    let start = line;
    let lineWidth = displayWidth(line);
    let empty = true;
    for (const word of paragraph.split(' ')) {
      if (word === '') continue;
      const wordWidth = displayWidth(word);
      if (!empty && lineWidth + 1 + wordWidth > width) {
        lines.push(line);
        line = later;
        start = later;
        lineWidth = displayWidth(later);
        empty = true;
      }
      const room = Math.max(1, width - lineWidth - (empty ? 0 : 1));
      if (wordWidth > room && empty) {
        // Longer than a whole line: break it.
        const parts = breakWord(word, room);
        for (const part of parts.slice(0, -1)) {
          lines.push(line + part);
          line = later;
          lineWidth = displayWidth(later);
        }
        line += parts.at(-1) ?? '';
        lineWidth += displayWidth(parts.at(-1) ?? '');
        empty = false;
        continue;
      }
      line += (empty ? '' : ' ') + word;
      lineWidth += (empty ? 0 : 1) + wordWidth;
      empty = false;
    }
    lines.push(empty ? start.trimEnd() : line);
  }
  return lines;
}
