/**
 * Writing to the terminal: lines, prose, JSON, warnings, the one place that
 * prints errors (a FluxError as `error:` and `hint:`, anything else with its
 * stack), and the "what to do next" pointer lines.
 */
import { FluxError } from '../../errors.js';
import { paint } from './style.js';
import { displayWidth, terminalWidth } from './width.js';
import { wrap, type WrapOptions } from './wrap.js';

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
