import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { tmuxNameFor } from '../../src/engine/scheduler.js';
import { PlanError } from '../../src/errors.js';
import { STAGE_ID_MAX_LENGTH, STAGE_ID_PATTERN } from '../../src/ids.js';
import { parsePlan } from '../../src/plan/parse.js';
import { stageIdProblem, suggestStageId, toSessionName } from '../../src/plan/stage-id.js';
import { closest, editDistance, suggestField } from '../../src/plan/suggest.js';
import { STAGE_FIELDS } from '../../src/plan/schema.js';
import { planDocument, YAML_FIRST_LINE } from './helpers.js';

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

describe('tmux session names of stage ids', () => {
  const valid = fc
    .array(fc.constantFrom(...'ab0._-'), { minLength: 1, maxLength: 8 })
    .map((chars) => chars.join(''))
    .filter((id) => stageIdProblem(id) === undefined);

  test('toSessionName replaces characters tmux would rewrite or misread in a target', () => {
    expect(toSessionName('flux-stage-1')).toBe('flux-stage-1');
    expect(toSessionName('flux-stage.1:x')).toBe('flux-stage_1_x');
    expect(toSessionName('%odd')).toBe('_odd');
  });

  test('the scheduler names sessions with the same rule the plan checks', () => {
    expect(tmuxNameFor('flux-', 'docs.v2')).toBe(`flux-${toSessionName('docs.v2')}`);
    expect(tmuxNameFor('flux-', 'docs.v2')).toBe(tmuxNameFor('flux-', 'docs_v2'));
  });

  test('whatever the prefix, two ids share a session name exactly when their own session names are equal', () => {
    fc.assert(
      fc.property(valid, valid, fc.string({ maxLength: 6 }), (a, b, prefix) => {
        const shared = tmuxNameFor(prefix, a) === tmuxNameFor(prefix, b);
        expect(shared).toBe(toSessionName(a) === toSessionName(b));
      }),
    );
  });

  test.each([
    [['docs.v2', 'docs_v2'], 'docs_v2', 'docs.v2'],
    [['a.b', 'a-b', 'a_b'], 'a_b', 'a.b'],
    [['x_1', 'y', 'x.1'], 'x.1', 'x_1'],
  ])('%j: %s collides with %s', (ids, second, first) => {
    const yaml = `flux:\n  version: 1\n  stages:\n${ids.map((id) => `    - id: ${id}\n      name: N\n`).join('')}`;
    let error: unknown;
    try {
      parsePlan(planDocument(yaml), 'plan.md');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PlanError);
    const line = (id: string): number => YAML_FIRST_LINE + 3 + 2 * ids.indexOf(id);
    expect((error as PlanError).message).toBe(
      `plan.md:${line(second)}:11: stage '${second}': field 'id': same tmux session name as \`${first}\` (line ${line(first)}): both become \`flux-${toSessionName(first)}\``,
    );
    expect((error as PlanError).hint).toContain('rename one of the two');
  });

  test('ids that differ in more than `.` and `_` are fine', () => {
    const yaml =
      'flux:\n  version: 1\n  stages:\n    - {id: docs.v2, name: A}\n    - {id: docs-v2, name: B}\n    - {id: docsv2, name: C}\n';
    expect(parsePlan(planDocument(yaml), 'plan.md').stages).toHaveLength(3);
  });
});
