/**
 * Styled lines (src/cli/ui/frame.ts) as Ink elements: one Text per line,
 * cut at the width as a last resort; colours only when the terminal gets
 * them (NO_COLOR, TERM=dumb and pipes get none).
 */
import { Box, Text } from 'ink';
import type { Line } from '../frame.js';

export function Lines({ lines, color, width }: { lines: readonly Line[]; color: boolean; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line.every((segment) => segment.text === '')
            ? ' '
            : line.map((segment, j) => (
                <Text
                  key={j}
                  color={color ? segment.color : undefined}
                  bold={segment.bold}
                  dimColor={segment.dim}
                  inverse={segment.inverse}
                >
                  {segment.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
