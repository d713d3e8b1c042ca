/**
 * Plans are UTF-8 (a leading UTF-8 byte-order mark is accepted). Anything
 * else is refused by name, rather than read as U+FFFD replacement
 * characters or, for UTF-16, as text in which no marker can be found.
 */
import { PlanError } from '../errors.js';

/** The hint for a file in `encoding` (as iconv names it). */
const saveAsUtf8 = (encoding: string): string =>
  `save the plan as UTF-8 in your editor, or convert it: \`iconv -f ${encoding} -t utf-8 plan.md > plan.utf8.md\``;

/** The wide encoding `bytes` starts like, by byte-order mark or by ASCII text with a zero byte beside each character. */
function wideEncoding(bytes: Uint8Array): string | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return 'UTF-32 (little-endian)';
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return 'UTF-32 (big-endian)';
  if (b0 === 0xff && b1 === 0xfe) return 'UTF-16 (little-endian)';
  if (b0 === 0xfe && b1 === 0xff) return 'UTF-16 (big-endian)';
  // No mark: the first characters of a markdown file are ASCII, so every other byte is zero.
  const pairs = Math.min(4, Math.floor(bytes.length / 2));
  if (pairs < 2) return undefined;
  const pairsLike = (zeroFirst: boolean): boolean =>
    Array.from({ length: pairs }, (_, i) => [bytes[2 * i], bytes[2 * i + 1]]).every(([a, b]) =>
      zeroFirst ? a === 0 && b !== 0 : a !== 0 && b === 0,
    );
  if (pairsLike(false)) return 'UTF-16 (little-endian)';
  if (pairsLike(true)) return 'UTF-16 (big-endian)';
  return undefined;
}

/** The length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  const next = (k: number, low = 0x80, high = 0xbf): boolean => {
    const b = bytes[i + k];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return next(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // E0 would be overlong below A0; ED would encode a surrogate from A0 on.
    const [low, high] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return next(1, low, high) && next(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    // F0 would be overlong below 90; F4 would pass U+10FFFF from 90 on.
    const [low, high] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return next(1, low, high) && next(2) && next(3) ? 4 : 0;
  }
  return 0;
}

/** The offset of the first byte that does not begin a well-formed UTF-8 sequence, or -1. */
function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/** The text of a plan file; PlanError (exit 2) when it is not UTF-8. */
export function decodePlan(bytes: Uint8Array, file: string): string {
  const wide = wideEncoding(bytes);
  if (wide !== undefined) {
    throw new PlanError({
      location: { file },
      message: `the plan is ${wide}, not UTF-8`,
      hint: saveAsUtf8(wide.startsWith('UTF-32') ? 'utf-32' : 'utf-16'),
    });
  }
  const bad = firstInvalidByte(bytes);
  if (bad !== -1) {
    const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(0x0a, bad - 1) + 1;
    const line = bytes.subarray(0, lineStart).filter((byte) => byte === 0x0a).length + 1;
    // Columns count UTF-16 units, like the YAML positions in other messages.
    const column = Buffer.from(bytes.subarray(lineStart, bad)).toString('utf8').length + 1;
    throw new PlanError({
      location: { file, line, column },
      message: `byte 0x${(bytes[bad] as number).toString(16).toUpperCase().padStart(2, '0')} is not valid UTF-8`,
      hint: `${saveAsUtf8('<encoding>')} (\`latin1\` or \`cp1252\` are likely for text from older editors)`,
    });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
