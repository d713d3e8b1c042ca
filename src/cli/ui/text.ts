/**
 * Fitting text into cells: truncation with an ellipsis, padding, the
 * context meter, durations. Widths count code points, which is what Flux's
 * own text (stage ids, states, numbers) is made of; anything wider is cut by
 * Ink's own truncation of the line as a last resort.
 */

/** `text` cut to `width` (the last kept character replaced by `…`) or padded with spaces to it. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, width - 1).join('')}…`;
  return text + ' '.repeat(width - chars.length);
}

/** `text` cut to `width` with `…`, not padded. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Lines of at most `width` characters, broken at spaces where possible; at most `max` lines. */
export function wrap(text: string, width: number, max = Infinity): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let rest = paragraph;
    for (;;) {
      const chars = [...rest];
      if (chars.length <= width) {
        lines.push(rest);
        break;
      }
      let at = chars.lastIndexOf(' ', width);
      if (at <= 0) at = width;
      lines.push(chars.slice(0, at).join('').trimEnd());
      rest = chars.slice(at).join('').trimStart();
      if (rest === '') break;
    }
  }
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  kept[max - 1] = cut(`${kept[max - 1]!} …`, width);
  return kept;
}

/** `███░ 75%`: four cells, each a quarter of the window. */
export function meter(percent: number | null): string {
  if (percent === null) return '';
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.min(4, Math.round(p / 25));
  return `${'█'.repeat(filled)}${'░'.repeat(4 - filled)} ${p}%`;
}

/** A bar of `width` cells filled in proportion to done / total. */
export function progressBar(done: number, total: number, width: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** `45s`, `12m05s`, `3h07m`, `2d04h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** From `start` to `end` (or now); '' without a start. */
export function elapsed(start: string | null, end: string | null, now: number): string {
  if (start === null) return '';
  const from = Date.parse(start);
  const to = end === null ? now : Date.parse(end);
  return Number.isNaN(from) || Number.isNaN(to) ? '' : duration(to - from);
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const SGR = /^\u001b\[[0-9;]*m$/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g;

/** Text without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, '');
}

/**
 * A line of someone else's output made safe to lay out: escape sequences
 * removed (all of them without colour; all but colours with it), what a
 * carriage return overwrote dropped, other control characters removed and
 * tabs expanded to the next multiple of 8.
 */
export function cleanLine(line: string, color: boolean): string {
  let text = line.replace(ESCAPES, (sequence) => (color && SGR.test(sequence) ? sequence : ''));
  text = text.replace(/\r+$/, '');
  text = text.slice(text.lastIndexOf('\r') + 1).replace(CONTROLS, '');
  if (!color) text = text.replaceAll('\u001b', '');
  if (!text.includes('\t')) return text;
  let out = '';
  let column = 0;
  for (const char of text) {
    if (char === '\t') {
      const spaces = 8 - (column % 8);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += char;
      column++;
    }
  }
  return out;
}
