/**
 * What a frame is made of: lines of styled segments (the components turn
 * each into an Ink Text), and the colour a status is shown in, the same as
 * the commands' (`STATUS_STYLE`).
 */
import { STATUS_STYLE } from '../../output.js';

export type Tone = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray';

export interface Segment {
  text: string;
  color?: Tone;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Segment[];

export const text = (value: string, style: Omit<Segment, 'text'> = {}): Segment => ({
  text: value,
  ...style,
});

export function statusTone(status: string): Tone | undefined {
  const style = STATUS_STYLE[status];
  return style === undefined || style === 'bold' || style === 'dim' ? undefined : style;
}
