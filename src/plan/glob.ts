/**
 * The glob dialect of a stage's `files` (docs/plan-format.md, "Glob syntax").
 *
 * Patterns are matched against repository-relative paths with `/` separators,
 * the form `git diff --name-only` prints. `*` and `?` never cross a `/`; `**`
 * as a whole segment spans any number of segments; `[...]` is a character
 * class (`[!...]` or `[^...]` negates it); `{a,b}` lists alternatives and may
 * nest. Matching is case-sensitive and dotfiles are not special.
 */

export type GlobSyntaxProblem =
  'unclosed-bracket' | 'unclosed-brace' | 'stray-brace' | 'bad-class' | 'too-many';

/** A pattern that cannot be compiled. `reason` completes "the pattern ...". */
export class GlobSyntaxError extends Error {
  readonly pattern: string;
  readonly problem: GlobSyntaxProblem;
  readonly reason: string;

  constructor(pattern: string, problem: GlobSyntaxProblem, reason: string) {
    super(`glob \`${pattern}\` ${reason}`);
    this.name = 'GlobSyntaxError';
    this.pattern = pattern;
    this.problem = problem;
    this.reason = reason;
  }
}

/** Brace expansion beyond this is almost certainly a mistake, and would make matching slow. */
const MAX_ALTERNATIVES = 1024;

export type GlobToken =
  | { kind: 'literal'; text: string }
  /** `*`: any run of characters within one segment. */
  | { kind: 'star' }
  /** `**` as a whole segment; `slash` when it consumed the `/` after it. */
  | { kind: 'globstar'; slash: boolean }
  /** `?`: one character other than `/`. */
  | { kind: 'any' }
  | { kind: 'class'; negated: boolean; body: string };

/** Index of the `]` closing the class that opens at `start`, or -1. A `]` right after `[` or `[!` is literal. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  return pattern.indexOf(']', i);
}

/** Expands `{a,b}` groups (nested too) into brace-free alternatives, in order, without duplicates. */
export function expandBraces(pattern: string): string[] {
  let pos = 0;

  const append = (results: string[], chunk: string): string[] => results.map((r) => r + chunk);

  const sequence = (inBraces: boolean): string[] => {
    let results = [''];
    while (pos < pattern.length) {
      const c = pattern[pos] as string;
      if (c === '[') {
        const end = classEnd(pattern, pos);
        if (end === -1)
          throw new GlobSyntaxError(
            pattern,
            'unclosed-bracket',
            `has a \`[\` at position ${pos + 1} that is never closed`,
          );
        results = append(results, pattern.slice(pos, end + 1));
        pos = end + 1;
      } else if (c === '{') {
        const open = pos;
        pos++;
        const alternatives = group(open);
        results = results.flatMap((r) => alternatives.map((a) => r + a));
        if (results.length > MAX_ALTERNATIVES) {
          throw new GlobSyntaxError(
            pattern,
            'too-many',
            `expands to more than ${MAX_ALTERNATIVES} alternatives`,
          );
        }
      } else if (c === '}' || (c === ',' && inBraces)) {
        if (!inBraces)
          throw new GlobSyntaxError(
            pattern,
            'stray-brace',
            `has a \`}\` at position ${pos + 1} with no \`{\``,
          );
        return results;
      } else {
        results = append(results, c);
        pos++;
      }
    }
    return results;
  };

  // Called just after a `{`; consumes up to and including its `}`.
  const group = (open: number): string[] => {
    const alternatives: string[] = [];
    for (;;) {
      alternatives.push(...sequence(true));
      if (pos >= pattern.length) {
        throw new GlobSyntaxError(
          pattern,
          'unclosed-brace',
          `has a \`{\` at position ${open + 1} that is never closed`,
        );
      }
      const c = pattern[pos];
      pos++;
      if (c === '}') return alternatives;
    }
  };

  return [...new Set(sequence(false))];
}

/** Splits a brace-free pattern into tokens. */
export function tokenize(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  const literal = (text: string): void => {
    const last = tokens.at(-1);
    if (last?.kind === 'literal') last.text += text;
    else tokens.push({ kind: 'literal', text });
  };

  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '*') {
      let end = i;
      while (pattern[end] === '*') end++;
      const wholeSegment =
        (i === 0 || pattern[i - 1] === '/') && (end === pattern.length || pattern[end] === '/');
      if (end - i >= 2 && wholeSegment) {
        const slash = end < pattern.length;
        tokens.push({ kind: 'globstar', slash });
        i = slash ? end + 1 : end;
      } else {
        // `a**b` is not a whole segment: like gitignore, it means `*`.
        tokens.push({ kind: 'star' });
        i = end;
      }
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end === -1)
        throw new GlobSyntaxError(
          pattern,
          'unclosed-bracket',
          `has a \`[\` at position ${i + 1} that is never closed`,
        );
      const negated = pattern[i + 1] === '!' || pattern[i + 1] === '^';
      tokens.push({ kind: 'class', negated, body: pattern.slice(i + (negated ? 2 : 1), end) });
      i = end + 1;
    } else {
      literal(c);
      i++;
    }
  }
  return tokens;
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function classSource(pattern: string, negated: boolean, body: string): string {
  // Keep `-` for ranges; escape everything else that is not a word character.
  const inner = [...body].map((ch) => (ch === '-' || /\w/.test(ch) ? ch : `\\${ch}`)).join('');
  const source = negated ? `[^${inner}/]` : `(?!/)[${inner}]`;
  try {
    new RegExp(source);
  } catch {
    throw new GlobSyntaxError(
      pattern,
      'bad-class',
      `has an invalid character class \`[${negated ? '!' : ''}${body}]\``,
    );
  }
  return source;
}

function tokenSource(pattern: string, token: GlobToken): string {
  switch (token.kind) {
    case 'literal':
      return escapeRegExp(token.text);
    case 'star':
      return '[^/]*';
    case 'globstar':
      return token.slash ? '(?:[^/]*/)*' : '.*';
    case 'any':
      return '[^/]';
    case 'class':
      return classSource(pattern, token.negated, token.body);
  }
}

/** Compiles a glob to an anchored RegExp. Throws GlobSyntaxError for an unbalanced `[`, `{` or `}`. */
export function globToRegExp(pattern: string): RegExp {
  const alternatives = expandBraces(pattern).map((alternative) =>
    tokenize(alternative)
      .map((token) => tokenSource(pattern, token))
      .join(''),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

const compiled = new Map<string, RegExp>();

function cachedRegExp(pattern: string): RegExp {
  let regExp = compiled.get(pattern);
  if (regExp === undefined) {
    regExp = globToRegExp(pattern);
    compiled.set(pattern, regExp);
  }
  return regExp;
}

/** Whether a repository-relative path matches any of the globs. `\` and a leading `./` are normalised away. */
export function matchesAny(path: string, globs: readonly string[]): boolean {
  const normalised = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  return globs.some((glob) => cachedRegExp(glob).test(normalised));
}

export function hasWildcard(tokens: readonly GlobToken[]): boolean {
  return tokens.some((token) => token.kind !== 'literal');
}

/** What every path matching the brace-free pattern starts with. */
export function literalPrefix(tokens: readonly GlobToken[]): string {
  const first = tokens[0];
  return first?.kind === 'literal' ? first.text : '';
}

/** What every path matching the brace-free pattern ends with. */
export function literalSuffix(tokens: readonly GlobToken[]): string {
  const last = tokens.at(-1);
  return last?.kind === 'literal' ? last.text : '';
}
