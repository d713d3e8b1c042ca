import { describe, expect, test } from 'vitest';
import { globProblem } from '../../src/plan/glob-check.js';
import { expandBraces, GlobSyntaxError, globToRegExp, matchesAny } from '../../src/plan/glob.js';

describe('globToRegExp', () => {
  test.each([
    // `*` stays within a segment
    ['*.ts', 'a.ts', true],
    ['*.ts', 'src/a.ts', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/x/a.ts', false],
    ['src/*', 'src/', true],
    ['*', '.env', true],
    // `**` as a whole segment spans segments, zero included
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/x/y/a.ts', true],
    ['src/**/*.ts', 'srcx/a.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['**/*.ts', 'x/y/a.ts', true],
    ['src/**', 'src/a', true],
    ['src/**', 'src/x/y/z', true],
    ['src/**', 'src', false],
    ['src/**', 'srcx/a', false],
    ['**', 'any/thing/at/all', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    // `**` inside a segment is `*`
    ['a**b', 'axyb', true],
    ['a**b', 'ax/yb', false],
    // `?`
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['a?c', 'ac', false],
    // classes
    ['[abc].ts', 'b.ts', true],
    ['[abc].ts', 'd.ts', false],
    ['[!abc].ts', 'd.ts', true],
    ['[^abc].ts', 'a.ts', false],
    ['[a-c]x', 'bx', true],
    ['[]]', ']', true],
    ['[!]]', 'a', true],
    ['a[/x]b', 'axb', true],
    ['a[/x]b', 'a/b', false],
    ['a[!x]b', 'a/b', false],
    ['[.]ts', '.ts', true],
    ['[\\]', '\\', true],
    // braces
    ['*.{ts,tsx}', 'a.tsx', true],
    ['*.{ts,tsx}', 'a.js', false],
    ['src/{models,api}/**', 'src/api/x.rs', true],
    ['src/{models,api}/**', 'src/ui/x.rs', false],
    ['{a,{b,c}}.md', 'c.md', true],
    ['x{,.bak}', 'x', true],
    ['x{,.bak}', 'x.bak', true],
    ['{[,],x}', ',', true],
    // regular-expression characters are literal
    ['a+b(c).ts', 'a+b(c).ts', true],
    ['a.ts', 'abts', false],
    ['$x^|y.ts', '$x^|y.ts', true],
    ['a,b', 'a,b', true],
    ['a]b', 'a]b', true],
  ])('%s against %s: %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });

  test.each([
    ['src/[ab.ts', 'unclosed-bracket', 'has a `[` at position 5 that is never closed'],
    ['*.{ts,tsx', 'unclosed-brace', 'has a `{` at position 3 that is never closed'],
    ['{a,{b}', 'unclosed-brace', 'has a `{` at position 1 that is never closed'],
    ['a}', 'stray-brace', 'has a `}` at position 2 with no `{`'],
    ['[z-a]', 'bad-class', 'has an invalid character class `[z-a]`'],
    ['{a,b}'.repeat(11), 'too-many', 'expands to more than 1024 alternatives'],
  ])('%s is malformed', (pattern, problem, reason) => {
    const error = (() => {
      try {
        globToRegExp(pattern);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GlobSyntaxError);
    expect(error).toMatchObject({ pattern, problem, reason });
  });
});

describe('expandBraces', () => {
  test('expands products and nesting in order, without duplicates', () => {
    expect(expandBraces('{a,b}{c,d}')).toEqual(['ac', 'ad', 'bc', 'bd']);
    expect(expandBraces('x/{a,{b,c}}/y')).toEqual(['x/a/y', 'x/b/y', 'x/c/y']);
    expect(expandBraces('{a,a}')).toEqual(['a']);
    expect(expandBraces('[{]x')).toEqual(['[{]x']);
  });
});

describe('matchesAny', () => {
  const globs = ['src/models/*.rs', 'docs/**'];

  test('true when one glob matches', () => {
    expect(matchesAny('src/models/user.rs', globs)).toBe(true);
    expect(matchesAny('docs/a/b.md', globs)).toBe(true);
    expect(matchesAny('src/api/user.rs', globs)).toBe(false);
  });

  test('normalises `./` and `\\` in the path', () => {
    expect(matchesAny('./src/models/user.rs', globs)).toBe(true);
    expect(matchesAny('src\\models\\user.rs', globs)).toBe(true);
  });

  test('no globs match nothing', () => {
    expect(matchesAny('a', [])).toBe(false);
  });
});

describe('globProblem', () => {
  test.each(['src/**', '*.md', 'src/{a,b}/*.ts', 'a/[[]id]/page.tsx', '.github/workflows/*.yml', 'x..y'])(
    '%s is fine',
    (pattern) => {
      expect(globProblem(pattern)).toBeUndefined();
    },
  );

  test.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    [' src/**', 'has leading or trailing spaces'],
    ['src\\*.rs', 'contains `\\`'],
    ['/src/*.rs', 'is an absolute path'],
    ['C:/src/*.rs', 'is an absolute path'],
    ['{/etc,src}/*', 'is an absolute path'],
    ['src/', 'ends with `/`'],
    ['../x/*', 'has a `..` segment'],
    ['src/{..,x}/y', 'has a `..` segment'],
    ['./src/*', 'has a `.` segment'],
    ['src//x', 'has an empty segment (`//`)'],
    ['src/[x', 'has a `[` at position 5 that is never closed'],
  ])('%j %s', (pattern, reason) => {
    expect(globProblem(pattern)?.reason).toBe(reason);
  });
});
