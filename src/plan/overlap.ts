/**
 * Whether two globs may match the same path. The test is conservative: it
 * never answers false for globs that share a match, and may answer true for
 * some that do not (docs/plan-format.md, "Overlapping files").
 *
 * After brace expansion, two alternatives may overlap when:
 * - they are equal;
 * - one is a literal path: then exactly when the other glob matches it;
 * - both have wildcards: when one literal prefix (the text before the first
 *   wildcard) starts with the other, and one literal suffix (the text after
 *   the last wildcard) ends with the other. Every match of a glob starts with
 *   its prefix and ends with its suffix, so failing either test rules out a
 *   shared match.
 */
import { expandBraces, globToRegExp, hasWildcard, literalPrefix, literalSuffix, tokenize } from './glob.js';

const compatible = (a: string, b: string, test: (x: string, y: string) => boolean): boolean =>
  test(a, b) || test(b, a);

function alternativesMayOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const tokensA = tokenize(a);
  const tokensB = tokenize(b);
  const literalA = !hasWildcard(tokensA);
  const literalB = !hasWildcard(tokensB);
  if (literalA && literalB) return false;
  if (literalA) return globToRegExp(b).test(a);
  if (literalB) return globToRegExp(a).test(b);
  return (
    compatible(literalPrefix(tokensA), literalPrefix(tokensB), (x, y) => x.startsWith(y)) &&
    compatible(literalSuffix(tokensA), literalSuffix(tokensB), (x, y) => x.endsWith(y))
  );
}

/** Conservative: true when some path may match both globs. */
export function globsMayOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const alternativesB = expandBraces(b);
  return expandBraces(a).some((x) => alternativesB.some((y) => alternativesMayOverlap(x, y)));
}
