/**
 * A hostile plan can nest lists and mappings deeply enough to overflow the
 * YAML composer's stack. Flux measures the nesting first, without recursion,
 * and refuses more than 64 levels at the line:column where the 65th begins.
 */
import { describe, expect, test } from 'vitest';
import { ExitCode, PlanError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/parse.js';
import { MAX_YAML_DEPTH } from '../../src/plan/nesting.js';
import { planDocument, YAML_FIRST_LINE } from './helpers.js';

function errorOf(text: string): PlanError {
  try {
    parsePlan(text, 'plan.md');
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

/** `line:column` in the plan file of `offset` in the YAML text. */
function locate(yaml: string, offset: number): string {
  const before = yaml.slice(0, offset).split('\n');
  return `${YAML_FIRST_LINE + before.length - 1}:${before.at(-1)!.length + 1}`;
}

/** Levels above a stage's field value: the document's mapping, `flux`, `stages`, the stage. */
const ABOVE_FIELD = 4;
const stageWith = (value: string): string =>
  `flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n      description: ${value}\n`;
const DEEP = 20_000;

test('the limit is 64 levels', () => {
  expect(MAX_YAML_DEPTH).toBe(64);
});

describe('refused at the level past the limit', () => {
  // The first `[` past the limit: the nth opening bracket of the value, 0-based.
  const past = MAX_YAML_DEPTH - ABOVE_FIELD;

  test.each([
    ['flow lists', '['.repeat(DEEP) + ']'.repeat(DEEP), '['],
    ['flow mappings', '{a: '.repeat(DEEP) + '1' + '}'.repeat(DEEP), '{'],
    ['an unclosed flow list', '['.repeat(DEEP), '['],
  ])('%s', (_, value, opener) => {
    const yaml = stageWith(value);
    let offset = yaml.indexOf(opener);
    for (let i = 0; i < past; i++) offset = yaml.indexOf(opener, offset + 1);
    const error = errorOf(planDocument(yaml));
    expect(error.message).toBe(
      `plan.md:${locate(yaml, offset)}: YAML error: the metadata nests more than 64 levels deep here`,
    );
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.hint).toContain('remove the extra nesting');
  });

  test('block sequences on one line', () => {
    const yaml = `flux:\n  version: 1\n  stages:\n    - ${'- '.repeat(DEEP)}x\n`;
    // `- ` number n (0-based) after `stages:` opens level 3 + n.
    const offset = yaml.indexOf('    - ') + 4 + 2 * (MAX_YAML_DEPTH - 2);
    expect(errorOf(planDocument(yaml)).message).toBe(
      `plan.md:${locate(yaml, offset)}: YAML error: the metadata nests more than 64 levels deep here`,
    );
  });

  test('block mappings by indentation: the line of the first key past the limit', () => {
    const levels = 200;
    const lines = Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const yaml = `${lines.join('\n')} x\n`;
    // k0's mapping is level 1, so k64 opens level 65.
    const error = errorOf(planDocument(yaml));
    expect(error.message).toBe(
      `plan.md:${YAML_FIRST_LINE + MAX_YAML_DEPTH}:${MAX_YAML_DEPTH + 1}: YAML error: the metadata nests more than 64 levels deep here`,
    );
  });
});

test('64 levels are parsed, and get the ordinary schema message', () => {
  const depth = MAX_YAML_DEPTH - ABOVE_FIELD;
  const error = errorOf(planDocument(stageWith('['.repeat(depth) + ']'.repeat(depth))));
  expect(error.message).toBe(
    `plan.md:${YAML_FIRST_LINE + 5}:20: stage 'a': field 'description': must be a string, not a list`,
  );
});

test('deep nesting through aliases is caught by the alias limit', () => {
  let yaml = 'x0: &a0 [1]\n';
  for (let i = 1; i < 500; i++) yaml += `x${i}: &a${i} [*a${i - 1}]\n`;
  const error = errorOf(planDocument(yaml));
  expect(error.message).toMatch(/^plan\.md:8:1: YAML error: /);
  expect(error.hint).toContain('without YAML anchors and aliases');
});
