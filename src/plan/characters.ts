/**
 * Control characters in a plan. Its title, names, descriptions and commands
 * reach agents' prompts, terminals, tmux and the event log, where a NUL ends
 * a session's arguments and an ESC rewrites the screen; so none is allowed
 * but tab, line feed, and carriage return before a line feed (CRLF files).
 * The file's text is checked before anything reads it; the parsed values
 * again, since a YAML escape (`"\0"`, `"\e"`) writes one without a raw byte.
 */
import { PlanError } from '../errors.js';

// prettier-ignore
const C0 = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
];
// prettier-ignore
const C1 = [
  'PAD', 'HOP', 'BPH', 'NBH', 'IND', 'NEL', 'SSA', 'ESA', 'HTS', 'HTJ', 'VTS', 'PLD', 'PLU', 'RI', 'SS2', 'SS3',
  'DCS', 'PU1', 'PU2', 'STS', 'CCH', 'MW', 'SPA', 'EPA', 'SOS', 'SGCI', 'SCI', 'CSI', 'ST', 'OSC', 'PM', 'APC',
];

/** In the file: every C0 and C1 control and DEL (Unicode's Cc) but tab and LF; CR only before LF. */
const IN_TEXT = /(?![\t\n\r])\p{Cc}|\r(?!\n)/u;
/** In a parsed value, where YAML has already turned line breaks into LF. */
const IN_VALUE = /(?![\t\n])\p{Cc}/u;

/** `U+001B (ESC)`: the code point and its standard abbreviation. */
export function describeControl(ch: string): string {
  const code = ch.codePointAt(0) as number;
  const name = code < 0x20 ? C0[code] : code === 0x7f ? 'DEL' : C1[code - 0x80];
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${name === undefined ? '' : ` (${name})`}`;
}

const TEXT_HINT =
  'remove it: plan text goes into prompts, terminals and tmux, so it may hold no control characters ' +
  'but tab and line breaks (editors show them as ^@, ^[ or <0x..>; `cat -A` lists them)';

/** PlanError at the first control character of the file's text, if it has one. */
export function checkPlanText(text: string, file: string): void {
  const match = IN_TEXT.exec(text);
  if (match === null) return;
  const lineStart = text.lastIndexOf('\n', match.index - 1) + 1;
  const line = text.slice(0, lineStart).split('\n').length;
  throw new PlanError({
    location: { file, line, column: match.index - lineStart + 1 },
    message: `the control character ${describeControl(match[0])} is not allowed in a plan`,
    hint:
      match[0] === '\r'
        ? 'remove it: a carriage return is allowed only before a line feed (CRLF line endings)'
        : TEXT_HINT,
  });
}

export interface ControlInData {
  /** Where in the YAML data: `['flux', 'stages', 0, 'name']`. */
  path: (string | number)[];
  /** The control character is in the key at `path`, not in its value. */
  inKey: boolean;
  char: string;
}

/** The first control character (but tab and LF) in a string or key of `data`, in document order. */
export function controlInData(data: unknown): ControlInData | undefined {
  // Iterative, so no input can exhaust the stack; children are pushed in reverse to be visited in order.
  type Visit = { value: unknown; path: (string | number)[]; key?: string };
  const stack: Visit[] = [{ value: data, path: [] }];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const { value, path, key } = stack.pop() as Visit;
    const inKey = key === undefined ? undefined : IN_VALUE.exec(key)?.[0];
    if (inKey !== undefined) return { path, inKey: true, char: inKey };
    if (typeof value === 'string') {
      const char = IN_VALUE.exec(value)?.[0];
      if (char !== undefined) return { path, inKey: false, char };
      continue;
    }
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    // An alias shares one object between several places: one visit finds its characters.
    seen.add(value);
    const children: Visit[] = Array.isArray(value)
      ? value.map((item, index) => ({ value: item, path: [...path, index] }))
      : Object.entries(value).map(([name, item]) => ({ value: item, path: [...path, name], key: name }));
    stack.push(...children.reverse());
  }
  return undefined;
}
