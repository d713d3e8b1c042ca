/** "Did you mean" suggestions for misspelt field names and stage ids. */

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate closest to `word`, when close enough to be a plausible typo:
 * within a third of the word's length (at least 2), compared case-insensitively.
 * Ties go to the earlier candidate.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Other names people give stage fields, mapped to the real field. */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  depends_on: 'dependencies',
  depends: 'dependencies',
  deps: 'dependencies',
  needs: 'dependencies',
  requires: 'dependencies',
  after: 'dependencies',
  title: 'name',
  desc: 'description',
  group: 'parallel_group',
  parallel: 'parallel_group',
  tests: 'acceptance',
  checks: 'acceptance',
  commands: 'acceptance',
  paths: 'files',
  globs: 'files',
  approval: 'gate',
};

/** The known field a misspelt or aliased field name most likely means. */
export function suggestField(field: string, known: readonly string[]): string | undefined {
  const alias = FIELD_ALIASES[field.toLowerCase().replace(/-/g, '_')];
  if (alias !== undefined && known.includes(alias)) return alias;
  return closest(field, known);
}
