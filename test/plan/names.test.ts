import { describe, expect, test } from 'vitest';
import { STAGE_ID_MAX_LENGTH, STAGE_ID_PATTERN } from '../../src/ids.js';
import { stageIdProblem, suggestStageId } from '../../src/plan/stage-id.js';
import { closest, editDistance, suggestField } from '../../src/plan/suggest.js';
import { STAGE_FIELDS } from '../../src/plan/schema.js';

describe('stage ids', () => {
  test.each(['a', 'stage-1-models', '1', '_private', 'v1.2', 'a_b-c.d', 'x'.repeat(STAGE_ID_MAX_LENGTH)])(
    '%s is usable',
    (id) => {
      expect(stageIdProblem(id)).toBeUndefined();
      expect(STAGE_ID_PATTERN.test(id)).toBe(true);
    },
  );

  test.each([
    ['', 'is empty'],
    ['Stage', 'has uppercase letters'],
    ['a b', 'contains a space'],
    ['a/b:c', 'contains `/`, `:`'],
    ['-a', 'starts with `-`'],
    ['.a', 'starts with `.`'],
    ['a..b', 'contains `..`'],
    ['a.', 'ends with `.`'],
    ['a.lock', 'ends with `.lock`'],
    ['x'.repeat(STAGE_ID_MAX_LENGTH + 1), `is ${STAGE_ID_MAX_LENGTH + 1} characters long (at most 64)`],
  ])('%j %s', (id, problem) => {
    expect(stageIdProblem(id)).toBe(problem);
  });

  test.each([
    ['Stage 1: Models', 'stage-1-models'],
    ['--a..b.lock', 'a.b'],
    ['x.lock.lock', 'x'],
    ['ÄÖÜ', undefined],
  ])('suggests %j → %j', (id, suggestion) => {
    expect(suggestStageId(id)).toBe(suggestion);
  });
});

describe('suggestions', () => {
  test('edit distance', () => {
    expect(editDistance('dependancies', 'dependencies')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  test('closest is case-insensitive and gives up when nothing is close', () => {
    expect(closest('Name', ['id', 'name'])).toBe('name');
    expect(closest('stage-1-model', ['stage-1-models', 'stage-2-api'])).toBe('stage-1-models');
    expect(closest('zzzzzz', ['stage-1-models'])).toBeUndefined();
  });

  test.each([
    ['dependancies', 'dependencies'],
    ['depends_on', 'dependencies'],
    ['depends-on', 'dependencies'],
    ['acceptence', 'acceptance'],
    ['title', 'name'],
    ['paralel_group', 'parallel_group'],
    ['colour', undefined],
  ])('%s → %s', (field, suggestion) => {
    expect(suggestField(field, STAGE_FIELDS)).toBe(suggestion);
  });
});
