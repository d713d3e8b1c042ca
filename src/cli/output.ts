/**
 * Terminal output: colour only on a TTY without NO_COLOR, text measured by
 * its display width (escape codes count nothing, wide characters two),
 * tables and prose fitted to the terminal's width, and a single place that
 * prints errors.
 */
import { FluxError } from '../errors.js';

const useColor = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';

const codes = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;
export type Style = keyof typeof codes;

export function paint(text: string, style: Style, stream: NodeJS.WriteStream = process.stdout): string {
  if (!useColor(stream)) return text;
  const [open, close] = codes[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

// ---- width ---------------------------------------------------------------------

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

/** Zero for combining marks, joiners and controls; two for East Asian wide and emoji; else one. */
function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f) ||
    cp === 0xfeff ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  )
    return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x231a && cp <= 0x231b) ||
    (cp >= 0x2329 && cp <= 0x232a) ||
    (cp >= 0x23e9 && cp <= 0x23ec) ||
    (cp >= 0x25fd && cp <= 0x25fe) ||
    (cp >= 0x2614 && cp <= 0x2615) ||
    (cp >= 0x2648 && cp <= 0x2653) ||
    cp === 0x26a1 ||
    (cp >= 0x26bd && cp <= 0x26be) ||
    (cp >= 0x26c4 && cp <= 0x26c5) ||
    cp === 0x26d4 ||
    cp === 0x26ea ||
    (cp >= 0x26f2 && cp <= 0x26f5) ||
    cp === 0x26fa ||
    cp === 0x26fd ||
    cp === 0x2705 ||
    (cp >= 0x270a && cp <= 0x270b) ||
    cp === 0x2728 ||
    cp === 0x274c ||
    cp === 0x274e ||
    (cp >= 0x2753 && cp <= 0x2755) ||
    cp === 0x2757 ||
    (cp >= 0x2795 && cp <= 0x2797) ||
    cp === 0x27b0 ||
    cp === 0x27bf ||
    (cp >= 0x2b1b && cp <= 0x2b1c) ||
    cp === 0x2b50 ||
    cp === 0x2b55 ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe10 && cp <= 0xfe19) ||
    (cp >= 0xfe30 && cp <= 0xfe6f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x16fe0 && cp <= 0x18aff) ||
    (cp >= 0x1b000 && cp <= 0x1b2ff) ||
    cp === 0x1f004 ||
    cp === 0x1f0cf ||
    cp === 0x1f18e ||
    (cp >= 0x1f191 && cp <= 0x1f19a) ||
    (cp >= 0x1f200 && cp <= 0x1f251) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f680 && cp <= 0x1f6ff) ||
    (cp >= 0x1f7e0 && cp <= 0x1f7eb) ||
    (cp >= 0x1f90c && cp <= 0x1f9ff) ||
    (cp >= 0x1fa70 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** The text as escape sequences (width 0) and characters with their widths. */
function* pieces(text: string): Generator<{ text: string; width: number; escape: boolean }> {
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

// ---- tables --------------------------------------------------------------------

export interface TableOptions {
  /** The width to fit (default: the terminal's). */
  width?: number;
  /**
   * The columns that give up room when the table is too wide, in groups: the
   * first group's columns are cut (the widest first) down to `minColumn`,
   * then the next group's; then, if it is still too wide, every column.
   */
  shrink?: number[][];
  /** No column is cut below this (or its natural width, if smaller). Default 8. */
  minColumn?: number;
}

/**
 * Left-aligned columns separated by two spaces; the last column is not
 * padded. When the rows are wider than the width, the `shrink` columns are
 * cut, and cut cells end in `…`.
 */
export function table(header: string[], rows: string[][], options: TableOptions = {}): string {
  const all = [header, ...rows];
  const count = header.length;
  const natural = header.map((_, col) => Math.max(...all.map((row) => displayWidth(row[col] ?? ''))));
  const widths = fitColumns(natural, options);
  return all
    .map((row) =>
      row
        .map((cell, col) => {
          const fitted = truncate(cell, widths[col]!);
          return col === count - 1 || col === row.length - 1
            ? fitted
            : fitted + ' '.repeat(Math.max(0, widths[col]! - displayWidth(fitted)));
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Column widths that fit `options.width`, cutting the `shrink` columns as little as it can. */
function fitColumns(natural: number[], options: TableOptions): number[] {
  const width = options.width ?? terminalWidth();
  const minColumn = options.minColumn ?? 8;
  const widths = [...natural];
  const gaps = 2 * Math.max(0, natural.length - 1);
  const total = (): number => widths.reduce((sum, w) => sum + w, 0) + gaps;
  const every = natural.map((_, col) => col);
  // Still too wide once the groups have given what they can: every column gives.
  const groups = [...(options.shrink ?? []), every];
  for (const group of groups) {
    while (total() > width) {
      // The widest column of the group that can still give up a column.
      let widest = -1;
      for (const col of group) {
        const floor = Math.min(natural[col]!, minColumn);
        if (widths[col]! > floor && (widest === -1 || widths[col]! > widths[widest]!)) widest = col;
      }
      if (widest === -1) break;
      widths[widest]!--;
    }
  }
  return widths;
}

// ---- printing ------------------------------------------------------------------

export function print(text = ''): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Prose, wrapped to the terminal's width. */
export function say(text: string, options: WrapOptions = {}): void {
  print(wrap(text, terminalWidth(), options).join('\n'));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`${paint('warning:', 'yellow', process.stderr)} ${text}\n`);
}

export function printError(error: unknown): number {
  if (error instanceof FluxError) {
    process.stderr.write(`${paint('error:', 'red', process.stderr)} ${error.message}\n`);
    if (error.hint !== undefined)
      process.stderr.write(`${paint('hint:', 'cyan', process.stderr)} ${error.hint}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${paint('internal error:', 'red', process.stderr)} ${text}\n`);
  return 1;
}

export const STATUS_STYLE: Record<string, Style> = {
  pending: 'gray',
  ready: 'cyan',
  running: 'blue',
  needs_handoff: 'magenta',
  completed: 'yellow',
  verified: 'green',
  merged: 'green',
  failed: 'red',
  blocked: 'red',
  rejected: 'red',
  starting: 'cyan',
  working: 'blue',
  idle: 'gray',
  waiting_permission: 'yellow',
  handing_off: 'magenta',
  ended: 'gray',
  crashed: 'red',
};

export const paintStatus = (status: string): string => paint(status, STATUS_STYLE[status] ?? 'bold');

/**
 * "  <item>: <what>  →  <command>" on one line when it fits; else the
 * command below, on lines of its own (one per alternative of `a / b`), so
 * each can still be copied whole. The command is painted cyan.
 */
export function pointerLines(item: string, what: string, command: string, width = terminalWidth()): string[] {
  const one = `  ${item}: ${what}  →  ${paint(command, 'cyan')}`;
  if (displayWidth(one) <= width) return [one];
  const lines = wrap(`${item}: ${what}`, width, { indent: '  ', hangingIndent: '    ' });
  for (const [index, alternative] of command.split(' / ').entries()) {
    const lead = index === 0 ? '    →  ' : '       or ';
    const hanging = ' '.repeat(lead.length);
    wrap(alternative, width, { indent: lead, hangingIndent: hanging }).forEach((line, at) => {
      const prefix = at === 0 ? lead : hanging;
      lines.push(prefix + paint(line.slice(prefix.length), 'cyan'));
    });
  }
  return lines;
}
