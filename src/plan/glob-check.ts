/**
 * Rules for the globs in a stage's `files`, beyond compiling: they are
 * compared with the paths git reports, which are relative, use `/`, and
 * never contain `.`, `..` or empty segments. A pattern breaking these rules
 * could never match, so it is rejected rather than silently ignored.
 */
import { expandBraces, GlobSyntaxError, globToRegExp, type GlobSyntaxProblem } from './glob.js';

export interface GlobProblem {
  /** Completes "the pattern ...". */
  reason: string;
  hint: string;
}

const SYNTAX_HINTS: Readonly<Record<GlobSyntaxProblem, string>> = {
  'unclosed-bracket': 'close the `[` with `]`, or write `[[]` to match a literal `[`',
  'unclosed-brace': 'close the `{` with `}`, or write `[{]` to match a literal `{`',
  'stray-brace': 'remove the `}`, or write `[}]` to match a literal `}`',
  'bad-class': 'fix the character class: ranges go from low to high, e.g. `[a-z]`',
  'too-many': 'split the pattern into several entries of `files`',
};

function segmentProblem(pattern: string, alternative: string): GlobProblem | undefined {
  if (alternative.startsWith('/') || /^[A-Za-z]:/.test(alternative)) {
    return {
      reason: 'is an absolute path',
      hint: 'write it relative to the repository root, e.g. `src/models/*.rs`',
    };
  }
  if (alternative.endsWith('/')) {
    return { reason: 'ends with `/`', hint: `write \`${pattern}**\` for everything under that folder` };
  }
  const segments = alternative.split('/');
  if (segments.includes('..')) {
    return {
      reason: 'has a `..` segment',
      hint: 'a stage can only change files inside the repository: write the path from the repository root',
    };
  }
  if (segments.includes('.')) {
    return {
      reason: 'has a `.` segment',
      hint: 'remove the `./`: paths are written from the repository root',
    };
  }
  if (segments.includes('')) {
    return { reason: 'has an empty segment (`//`)', hint: 'remove the repeated `/`' };
  }
  return undefined;
}

/** Why a `files` entry is malformed, or undefined when it is fine. */
export function globProblem(pattern: string): GlobProblem | undefined {
  if (pattern.trim() === '') {
    return { reason: 'is empty', hint: 'remove the entry or write a pattern such as `src/**`' };
  }
  if (pattern !== pattern.trim()) {
    return { reason: 'has leading or trailing spaces', hint: 'remove the spaces around the pattern' };
  }
  if (pattern.includes('\\')) {
    return { reason: 'contains `\\`', hint: 'separate folders with `/`, as git does' };
  }
  let alternatives: string[];
  try {
    globToRegExp(pattern);
    alternatives = expandBraces(pattern);
  } catch (error) {
    if (!(error instanceof GlobSyntaxError)) throw error;
    return { reason: error.reason, hint: SYNTAX_HINTS[error.problem] };
  }
  for (const alternative of alternatives) {
    const problem = segmentProblem(pattern, alternative);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
