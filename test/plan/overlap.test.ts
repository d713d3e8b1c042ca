import { describe, expect, test } from 'vitest';
import { globsMayOverlap } from '../../src/plan/overlap.js';

describe('globsMayOverlap', () => {
  test.each([
    // equal patterns
    ['src/**', 'src/**', true],
    // a literal path against a glob: exact
    ['src/**', 'src/api/x.rs', true],
    ['src/api/x.rs', 'src/models/*.rs', false],
    ['package.json', 'package.json', true],
    ['a.ts', 'b.ts', false],
    ['docs/*.md', 'README.md', false],
    // two globs: compatible literal prefixes and suffixes
    ['src/models/*.rs', 'src/api/*.rs', false],
    ['src/*.ts', 'src/*.rs', false],
    ['src/**/*.ts', 'src/api/*.ts', true],
    ['**/*.ts', 'lib/*.ts', true],
    ['src/**', 'src/components/*.tsx', true],
    ['src/a*', 'src/b*', false],
    // braces: any pair of alternatives
    ['{src,lib}/*.ts', 'lib/a.ts', true],
    ['{src,lib}/*.ts', 'test/*.ts', false],
    ['src/*.{ts,tsx}', 'src/**/*.tsx', true],
    // conservative: no path has one segment and two after `src/`, but the prefixes and suffixes agree
    ['src/*/x.ts', 'src/*.ts', true],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(globsMayOverlap(a, b)).toBe(expected);
    expect(globsMayOverlap(b, a)).toBe(expected);
  });
});
