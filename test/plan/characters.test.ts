/**
 * What a plan's text may hold (docs/plan-format.md, "Encoding and
 * characters"): UTF-8 only, and no control characters but tab and line
 * breaks, anywhere in the file, since names, descriptions and the title go
 * into prompts, terminals and tmux.
 */
import { describe, expect, test } from 'vitest';
import { ExitCode, PlanError } from '../../src/errors.js';
import { decodePlan } from '../../src/plan/encoding.js';
import { parsePlan } from '../../src/plan/parse.js';
import { planDocument, YAML_FIRST_LINE } from './helpers.js';

function errorOf(run: () => unknown): PlanError {
  try {
    run();
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** A one-stage plan whose name is `name` (written as is: quote it yourself). */
const withName = (name: string): string =>
  planDocument(`flux:\n  version: 1\n  stages:\n    - id: a\n      name: ${name}\n`);
/** The line and column of the name's first character in `withName`. */
const NAME_LINE = YAML_FIRST_LINE + 4;
const NAME_COLUMN = '      name: '.length + 1;

describe('control characters', () => {
  test.each([
    ['\u0000', 'U+0000 (NUL)'],
    ['\u0001', 'U+0001 (SOH)'],
    ['\u0008', 'U+0008 (BS)'],
    ['\u000B', 'U+000B (VT)'],
    ['\u000C', 'U+000C (FF)'],
    ['\u001B', 'U+001B (ESC)'],
    ['\u001F', 'U+001F (US)'],
    ['\u007F', 'U+007F (DEL)'],
    ['\u0085', 'U+0085 (NEL)'],
    ['\u009B', 'U+009B (CSI)'],
  ])('%j in a name is refused as %s, at its line:column', (char, named) => {
    const error = errorOf(() => parsePlan(withName(`"ab${char}c"`), 'plan.md'));
    expect(error.message).toBe(
      `plan.md:${NAME_LINE}:${NAME_COLUMN + 3}: the control character ${named} is not allowed in a plan`,
    );
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.hint).toContain('remove it');
  });

  test('a carriage return is allowed only as part of CRLF', () => {
    const error = errorOf(() => parsePlan(withName('"a\rb"'), 'plan.md'));
    expect(error.message).toBe(
      `plan.md:${NAME_LINE}:${NAME_COLUMN + 2}: the control character U+000D (CR) is not allowed in a plan`,
    );
    expect(error.hint).toContain('only before a line feed');
    expect(parsePlan(withName('A').replace(/\n/g, '\r\n'), 'plan.md').stages[0]?.name).toBe('A');
  });

  test('anywhere in the file: prose and title too', () => {
    const text = withName('A').replace('Some prose.', 'Some\u0007prose.');
    expect(errorOf(() => parsePlan(text, 'plan.md')).message).toBe(
      'plan.md:3:5: the control character U+0007 (BEL) is not allowed in a plan',
    );
    const title = withName('A').replace('# PLAN: Test plan', '# PLAN: \u001B]0;owned\u0007');
    expect(errorOf(() => parsePlan(title, 'plan.md')).message).toMatch(/^plan\.md:1:9: .*U\+001B \(ESC\)/);
  });

  test('the first one is reported, whatever comes after', () => {
    const text = withName('"\u0001"').replace('Some prose.', 'Some\u0002prose.');
    expect(errorOf(() => parsePlan(text, 'plan.md')).message).toMatch(/^plan\.md:3:5: .*U\+0002/);
  });

  test('columns count UTF-16 units, as the other messages do', () => {
    const error = errorOf(() => parsePlan(withName('"é😀\u0000"'), 'plan.md'));
    expect(error.message).toMatch(new RegExp(`^plan\\.md:${NAME_LINE}:${NAME_COLUMN + 4}: `));
  });

  test('tabs where YAML allows them, non-ASCII text and a literal U+FFFD are fine', () => {
    expect(parsePlan(withName('"a\tb"'), 'plan.md').stages[0]?.name).toBe('a\tb');
    expect(parsePlan(withName('Ünïcødé 😀 \uFFFD'), 'plan.md').stages[0]?.name).toBe('Ünïcødé 😀 \uFFFD');
    const tabbedProse = withName('A').replace('Some prose.', 'Some\tprose.\t');
    expect(parsePlan(tabbedProse, 'plan.md').stages).toHaveLength(1);
  });

  test('a CRLF file with multi-line values is fine: YAML turns its line breaks into LF', () => {
    const yaml =
      'flux:\n  version: 1\n  stages:\n    - id: a\n      name: "multi\n        line"\n      description: |\n        one\n        two\n';
    const [stage] = parsePlan(planDocument(yaml).replace(/\n/g, '\r\n'), 'plan.md').stages;
    expect(stage?.name).toBe('multi line');
    expect(stage?.description).toBe('one\ntwo\n');
  });

  test('a YAML escape such as "\\0" is still a control character once parsed, and is refused in the field', () => {
    const error = errorOf(() => parsePlan(withName('"a\\0b"'), 'plan.md'));
    expect(error.message).toBe(
      `plan.md:${NAME_LINE}:${NAME_COLUMN}: stage 'a': field 'name': holds the control character U+0000 (NUL)`,
    );
    expect(error.hint).toContain('remove the escape');
    const inList = planDocument(
      'flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n      acceptance: [ok, "echo \\e[31m"]\n',
    );
    expect(errorOf(() => parsePlan(inList, 'plan.md')).message).toBe(
      `plan.md:${YAML_FIRST_LINE + 5}:24: stage 'a': field 'acceptance': holds the control character U+001B (ESC)`,
    );
  });
});

describe('encoding', () => {
  const bytes = (...parts: (string | number[])[]): Uint8Array =>
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

  test('UTF-8 decodes as is; a UTF-8 byte-order mark is accepted', () => {
    expect(decodePlan(bytes('# Plän\n'), 'plan.md')).toBe('# Plän\n');
    expect(decodePlan(bytes([0xef, 0xbb, 0xbf], '# Plan\n'), 'plan.md').replace(/^\uFEFF/, '')).toBe(
      '# Plan\n',
    );
    expect(decodePlan(bytes(''), 'plan.md')).toBe('');
  });

  test.each([
    ['a Latin-1 byte', ['ab\ncaf', [0xe9], '\n'], '2:4', 0xe9],
    ['a stray continuation byte', ['x', [0x80]], '1:2', 0x80],
    ['an overlong encoding', ['x', [0xc0, 0xaf]], '1:2', 0xc0],
    ['an encoded surrogate', ['xy', [0xed, 0xa0, 0x80]], '1:3', 0xed],
    ['a code point above U+10FFFF', [[0xf4, 0x90, 0x80, 0x80]], '1:1', 0xf4],
    ['a sequence cut short by the end of the file', ['é€', [0xe2, 0x82]], '1:3', 0xe2],
    ['a sequence cut short by the next character', ['\n\n😀', [0xf0, 0x9f], 'x'], '3:3', 0xf0],
  ])('%s is refused with its line:column', (_, parts, at, byte) => {
    const error = errorOf(() => decodePlan(bytes(...(parts as (string | number[])[])), 'plan.md'));
    expect(error.message).toBe(`plan.md:${at}: byte 0x${byte.toString(16).toUpperCase()} is not valid UTF-8`);
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.hint).toContain('save the plan as UTF-8');
  });

  test.each([
    ['UTF-16 (little-endian)', Buffer.from('\uFEFF# Plan\n', 'utf16le')],
    ['UTF-16 (big-endian)', Buffer.from('\uFEFF# Plan\n', 'utf16le').swap16()],
    ['UTF-16 (little-endian)', Buffer.from('# Plan\n', 'utf16le')],
    ['UTF-16 (big-endian)', Buffer.from('# Plan\n', 'utf16le').swap16()],
    ['UTF-32 (little-endian)', bytes([0xff, 0xfe, 0, 0, 0x23, 0, 0, 0])],
    ['UTF-32 (big-endian)', bytes([0, 0, 0xfe, 0xff, 0, 0, 0, 0x23])],
  ])('%s is named', (encoding, data) => {
    const error = errorOf(() => decodePlan(data, 'plan.md'));
    expect(error.message).toBe(`plan.md: the plan is ${encoding}, not UTF-8`);
    expect(error.hint).toContain('save the plan as UTF-8');
  });

  test('a NUL byte in an otherwise UTF-8 file is a control character, not UTF-16', () => {
    expect(decodePlan(bytes('# Plan\n\0\n'), 'plan.md')).toBe('# Plan\n\0\n');
  });
});
