/**
 * Terminal output: colour only on a TTY without NO_COLOR, tables padded by
 * visible width, and a single place that prints errors.
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

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
export const visibleWidth = (text: string): number => text.replace(ANSI, '').length;

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => visibleWidth(row[col] ?? ''))));
  return all
    .map((row) =>
      row
        .map((cell, col) =>
          col === row.length - 1 ? cell : cell + ' '.repeat(widths[col]! - visibleWidth(cell)),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function print(text = ''): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
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
