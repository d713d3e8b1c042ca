/**
 * The line of keys at the foot of each screen: as many as fit the width,
 * the most important first.
 */
import { text, type Line } from './segment.js';

/** As many of `keys` as fit, most important first, shown in `order` (default: as given). */
export function keyBar(
  keys: ReadonlyArray<[string, string]>,
  width: number,
  order: readonly string[] = keys.map(([key]) => key),
): Line {
  const kept: Array<[string, string]> = [];
  let used = 0;
  for (const [key, what] of keys) {
    const size = key.length + 1 + what.length + 2;
    if (used + size - 2 > width) continue;
    kept.push([key, what]);
    used += size;
  }
  kept.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  return kept.flatMap(([key, what], i) => [
    text(key, { color: 'cyan', bold: true }),
    text(i === kept.length - 1 ? ` ${what}` : ` ${what}  `, { dim: true }),
  ]);
}
