/**
 * Tables of left-aligned columns fitted to a width: the columns a command
 * names give up room first, and cut cells end in `…`.
 */
import { displayWidth, terminalWidth, truncate } from './width.js';

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
