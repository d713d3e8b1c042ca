/**
 * Styled lines (src/cli/ui/frame.ts) as Ink elements: one Text per line,
 * its segments already turned into SGR codes, so Ink lays out one node per
 * line rather than one per cell (what keeps a redraw of a 45-line frame in
 * a few milliseconds), and a line that did not change is not rendered
 * again. Colours only when the terminal gets them (NO_COLOR, TERM=dumb and
 * pipes get none); bold, dim and inverse are not colours and stay.
 */
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Line, Tone } from '../frame.js';

const COLOR: Record<Tone, number> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
};

/** A line as text with SGR codes: each style opened before its segment and closed after it. */
export function lineText(line: Line, color: boolean): string {
  let out = '';
  for (const segment of line) {
    if (segment.text === '') continue;
    let open = '';
    let close = '';
    if (segment.bold === true) [open, close] = [`${open}\u001b[1m`, `\u001b[22m${close}`];
    if (segment.dim === true) [open, close] = [`${open}\u001b[2m`, `\u001b[22m${close}`];
    if (segment.inverse === true) [open, close] = [`${open}\u001b[7m`, `\u001b[27m${close}`];
    if (color && segment.color !== undefined)
      [open, close] = [`${open}\u001b[${COLOR[segment.color]}m`, `\u001b[39m${close}`];
    out += open + segment.text + close;
  }
  return out === '' ? ' ' : out;
}

const LineView = memo(function LineView({ text }: { text: string }) {
  return <Text wrap="truncate-end">{text}</Text>;
});

export function Lines({ lines, color, width }: { lines: readonly Line[]; color: boolean; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((line, i) => (
        <LineView key={i} text={lineText(line, color)} />
      ))}
    </Box>
  );
}
