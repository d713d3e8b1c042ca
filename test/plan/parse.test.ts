import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { PlanError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/parse.js';
import type { Plan, StageDef } from '../../src/plan/types.js';
import { planDocument, YAML_FIRST_LINE } from './helpers.js';

const readmeExample = readFileSync(
  fileURLToPath(new URL('../fixtures/plans/readme-example.md', import.meta.url)),
  'utf8',
);

function errorOf(text: string, file = 'plan.md'): PlanError {
  try {
    parsePlan(text, file);
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('the seed README example', () => {
  const stages: StageDef[] = [
    {
      id: 'stage-1-models',
      name: 'Data Models',
      description: 'Create User, Session, Token models',
      dependencies: [],
      parallel_group: 'foundation',
      acceptance: ['cargo test --lib models', 'cargo clippy -- -D warnings'],
      files: ['src/models/*.rs'],
      gate: 'human',
    },
    {
      id: 'stage-2-api',
      name: 'API Endpoints',
      description: 'Implement auth endpoints',
      dependencies: ['stage-1-models'],
      acceptance: ['cargo test --lib api'],
      files: ['src/api/*.rs'],
      gate: 'human',
    },
    {
      id: 'stage-3-frontend',
      name: 'Frontend Components',
      description: 'Build login/signup UI',
      dependencies: ['stage-1-models'],
      parallel_group: 'implementation',
      acceptance: ['npm test'],
      files: ['src/components/*.tsx'],
      gate: 'human',
    },
  ];

  test('parses to the expected plan', () => {
    const expected: Plan = {
      path: 'doc/plans/auth.md',
      title: 'Implement User Authentication',
      version: 1,
      stages,
      hash: createHash('sha256').update(JSON.stringify(stages)).digest('hex'),
    };
    expect(parsePlan(readmeExample, 'doc/plans/auth.md')).toStrictEqual(expected);
  });

  test('stages are in canonical key order, and parallel_group is absent when not given', () => {
    const plan = parsePlan(readmeExample, 'auth.md');
    expect(Object.keys(plan.stages[1] as StageDef)).toEqual([
      'id',
      'name',
      'description',
      'dependencies',
      'acceptance',
      'files',
      'gate',
    ]);
    expect(Object.keys(plan.stages[0] as StageDef)).toContain('parallel_group');
  });
});

describe('fields and defaults', () => {
  test('only id and name are required', () => {
    const plan = parsePlan(
      planDocument('flux:\n  version: 1\n  stages:\n    - id: only\n      name: Only\n'),
      'p.md',
    );
    expect(plan.stages).toStrictEqual([
      {
        id: 'only',
        name: 'Only',
        description: '',
        dependencies: [],
        acceptance: [],
        files: [],
        gate: 'human',
      },
    ]);
  });

  test('setup (plan and stage) and estimate are kept; absent when not given', () => {
    const yaml =
      'flux:\n  version: 1\n  setup: [npm ci]\n  stages:\n    - id: a\n      name: A\n      setup: [cp .env.example .env]\n      estimate: 30\n    - id: b\n      name: B\n';
    const plan = parsePlan(planDocument(yaml), 'p.md');
    expect(plan.setup).toStrictEqual(['npm ci']);
    expect(plan.stages[0]).toMatchObject({ setup: ['cp .env.example .env'], estimate: 30 });
    expect(Object.keys(plan.stages[1]!)).not.toContain('setup');
    expect(Object.keys(plan.stages[1]!)).not.toContain('estimate');
    const none = parsePlan(
      planDocument('flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n'),
      'p.md',
    );
    expect(Object.keys(none)).not.toContain('setup');
  });

  test('gate: auto is kept', () => {
    const yaml = 'flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n      gate: auto\n';
    expect(parsePlan(planDocument(yaml), 'p.md').stages[0]?.gate).toBe('auto');
  });

  test('YAML anchors and aliases are expanded', () => {
    const yaml = [
      'flux:',
      '  version: 1',
      '  stages:',
      '    - id: a',
      '      name: A',
      '      acceptance: &checks [npm test, npm run lint]',
      '    - id: b',
      '      name: B',
      '      acceptance: *checks',
      '',
    ].join('\n');
    expect(parsePlan(planDocument(yaml), 'p.md').stages[1]?.acceptance).toEqual(['npm test', 'npm run lint']);
  });

  test('`~~~yml` fences are accepted too', () => {
    const text =
      '<!-- FLUX METADATA -->\n~~~yml\nflux:\n  version: 1\n  stages: [{id: a, name: A}]\n~~~\n<!-- END FLUX METADATA -->\n';
    expect(parsePlan(text, 'p.md').stages.map((s) => s.id)).toEqual(['a']);
  });

  test('a byte-order mark and CRLF line endings change nothing, line numbers included', () => {
    const yaml = 'flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n      dependencies: [zz]\n';
    const lf = planDocument(yaml);
    const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
    expect(parsePlan(crlf.replace('[zz]', '[]'), 'p.md').stages).toEqual(
      parsePlan(lf.replace('[zz]', '[]'), 'p.md').stages,
    );
    expect(errorOf(crlf).message).toBe(errorOf(lf).message);
  });

  test('the first of several problems in a stage is the unknown field that explains the rest', () => {
    const yaml = 'flux:\n  version: 1\n  stages:\n    - id: a\n      nmae: A\n';
    const error = errorOf(planDocument(yaml));
    expect(error.field).toBe('nmae');
    expect(error.message).toContain('did you mean `name`?');
  });

  test('ids are checked for every stage before the other fields', () => {
    const yaml =
      'flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n      files: ["/abs"]\n    - id: B\n      name: B\n';
    expect(errorOf(planDocument(yaml)).stage).toBe('B');
  });
});

describe('title', () => {
  const yaml = 'flux:\n  version: 1\n  stages: [{id: a, name: A}]\n';

  test.each([
    ['# PLAN: Implement auth', 'Implement auth'],
    ['# plan:   Lower case prefix', 'Lower case prefix'],
    ['# Without prefix', 'Without prefix'],
    ['# Closed heading ##', 'Closed heading'],
  ])('%s', (heading, title) => {
    expect(parsePlan(planDocument(yaml, heading), 'p.md').title).toBe(title);
  });

  test('falls back to the file name; headings in code fences and `##` headings do not count', () => {
    const text = planDocument(yaml, '## Overview\n\n```sh\n# not a title\n```');
    expect(parsePlan(text, 'doc/plans/auth.md').title).toBe('auth.md');
  });
});

describe('hash', () => {
  const block = 'flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n      files: [src/**]\n';
  const flow = 'flux: {version: 1, stages: [{files: ["src/**"], name: "A", id: a, gate: human}]}\n';

  test('ignores formatting, key order, comments, prose and defaults written out', () => {
    const a = parsePlan(planDocument(block), 'a.md');
    const b = parsePlan(planDocument(`# a comment\n${flow}`, '# Another title'), 'b.md');
    expect(b.hash).toBe(a.hash);
  });

  test('changes with the plan-level setup, a stage setup or an estimate; an empty setup changes nothing', () => {
    const a = parsePlan(planDocument(block), 'a.md');
    const withSetup = block.replace('  stages:', '  setup: [npm ci]\n  stages:');
    expect(parsePlan(planDocument(withSetup), 'a.md').hash).not.toBe(a.hash);
    expect(parsePlan(planDocument(block.replace('  stages:', '  setup: []\n  stages:')), 'a.md').hash).toBe(
      a.hash,
    );
    expect(parsePlan(planDocument(`${block}      setup: [make]\n`), 'a.md').hash).not.toBe(a.hash);
    expect(parsePlan(planDocument(`${block}      estimate: 5\n`), 'a.md').hash).not.toBe(a.hash);
  });

  test('changes when a stage changes', () => {
    const a = parsePlan(planDocument(block), 'a.md');
    const b = parsePlan(planDocument(block.replace('name: A', 'name: B')), 'a.md');
    expect(b.hash).not.toBe(a.hash);
  });
});

describe('plan-level acceptance (the merge checks)', () => {
  const stages = '  stages:\n    - id: a\n      name: A\n';
  test('absent: no `acceptance` on the plan, and the hash is the one stages alone give', () => {
    const plan = parsePlan(planDocument(`flux:\n  version: 1\n${stages}`), 'a.md');
    expect(plan.acceptance).toBeUndefined();
    const written = parsePlan(planDocument(`flux:\n  version: 1\n  acceptance: []\n${stages}`), 'a.md');
    expect(written.hash).toBe(plan.hash);
  });

  test('kept in order on the plan, and part of its hash', () => {
    const without = parsePlan(planDocument(`flux:\n  version: 1\n${stages}`), 'a.md');
    const plan = parsePlan(
      planDocument(`flux:\n  version: 1\n  acceptance: ["npm test", "npm run lint"]\n${stages}`),
      'a.md',
    );
    expect(plan.acceptance).toEqual(['npm test', 'npm run lint']);
    expect(plan.hash).not.toBe(without.hash);
  });

  test('an empty command is an error that points at it', () => {
    const error = errorOf(planDocument(`flux:\n  version: 1\n  acceptance: ["npm test", " "]\n${stages}`));
    expect(error.message).toContain("field 'acceptance': command 2 is empty");
    expect(error.location).toMatchObject({ line: YAML_FIRST_LINE + 2 });
  });
});

describe('locations', () => {
  test('line and column point into the markdown file, past the prose before the block', () => {
    const yaml = 'flux:\n  version: 1\n  stages:\n    - id: a\n      name: A\n      gate: sometimes\n';
    const error = errorOf(planDocument(yaml), 'doc/plans/p.md');
    expect(error.location).toEqual({ file: 'doc/plans/p.md', line: YAML_FIRST_LINE + 5, column: 13 });
  });

  test('an indented fence keeps true columns', () => {
    const text =
      '<!-- FLUX METADATA -->\n  ```yaml\n  flux:\n    version: 3\n    stages: [{id: a, name: A}]\n  ```\n<!-- END FLUX METADATA -->\n';
    expect(errorOf(text).location).toEqual({ file: 'plan.md', line: 4, column: 14 });
  });
});

describe('the `flux` key', () => {
  test('must hold a mapping', () => {
    const error = errorOf(planDocument('flux: [a]\n'));
    expect(error.message).toBe(`plan.md:${YAML_FIRST_LINE}:7: \`flux\` must be a mapping, not a list`);
  });

  test('a non-mapping document has no `flux` key', () => {
    expect(errorOf(planDocument('- just\n- a list\n')).message).toBe(
      `plan.md:${YAML_FIRST_LINE}:1: the metadata YAML has no \`flux:\` key`,
    );
  });
});
