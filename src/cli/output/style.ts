/**
 * Colour and emphasis for terminal text: painted only on a TTY without
 * NO_COLOR (and not TERM=dumb), and the one table of which colour each
 * stage and session status is shown in.
 */

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
