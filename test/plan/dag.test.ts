import { describe, expect, test } from 'vitest';
import { PlanError } from '../../src/errors.js';
import {
  ancestors,
  canRunInParallel,
  dependents,
  findCycle,
  overlappingFiles,
  topologicalOrder,
} from '../../src/plan/dag.js';
import { planOf, stage } from './helpers.js';

/** The seed README's plan: 2 and 3 both depend on 1. */
const readme = planOf([
  stage('stage-1-models', { files: ['src/models/*.rs'] }),
  stage('stage-2-api', { dependencies: ['stage-1-models'], files: ['src/api/*.rs'] }),
  stage('stage-3-frontend', { dependencies: ['stage-1-models'], files: ['src/components/*.tsx'] }),
]);

const ids = (stages: { id: string }[]) => stages.map((s) => s.id);

describe('dependents', () => {
  test('lists direct dependents in document order, and every stage has an entry', () => {
    expect(dependents(readme)).toEqual(
      new Map([
        ['stage-1-models', ['stage-2-api', 'stage-3-frontend']],
        ['stage-2-api', []],
        ['stage-3-frontend', []],
      ]),
    );
  });
});

describe('topologicalOrder', () => {
  test('keeps document order when it already works', () => {
    expect(ids(topologicalOrder(readme))).toEqual(['stage-1-models', 'stage-2-api', 'stage-3-frontend']);
  });

  test('moves a stage after its dependencies, and otherwise follows the document', () => {
    const plan = planOf([
      stage('c', { dependencies: ['b'] }),
      stage('a'),
      stage('b', { dependencies: ['a'] }),
      stage('d'),
    ]);
    expect(ids(topologicalOrder(plan))).toEqual(['a', 'b', 'c', 'd']);
  });

  test('among ready stages, the earlier in the document goes first', () => {
    const plan = planOf([stage('x'), stage('y', { dependencies: ['z'] }), stage('z'), stage('w')]);
    expect(ids(topologicalOrder(plan))).toEqual(['x', 'z', 'y', 'w']);
  });

  test('a hand-built plan with a cycle is a PlanError', () => {
    const plan = planOf([stage('a', { dependencies: ['b'] }), stage('b', { dependencies: ['a'] })]);
    expect(() => topologicalOrder(plan)).toThrow(PlanError);
    expect(() => topologicalOrder(plan)).toThrow('dependency cycle: a → b → a');
  });
});

describe('findCycle', () => {
  test('null for a DAG', () => {
    expect(findCycle(readme.stages)).toBeNull();
  });

  test('a self-dependency is a cycle of one', () => {
    expect(findCycle([{ id: 'a', dependencies: ['a'] }])).toEqual(['a', 'a']);
  });

  test('starts at the cycle stage that comes first in the document, and follows dependencies', () => {
    const stages = [
      { id: 'x', dependencies: [] },
      { id: 'b', dependencies: ['c'] },
      { id: 'a', dependencies: ['b'] },
      { id: 'c', dependencies: ['a', 'x'] },
    ];
    expect(findCycle(stages)).toEqual(['b', 'c', 'a', 'b']);
  });

  test('ignores dependencies on unknown ids', () => {
    expect(findCycle([{ id: 'a', dependencies: ['ghost'] }])).toBeNull();
  });
});

describe('ancestors and canRunInParallel', () => {
  const chain = planOf([
    stage('a'),
    stage('b', { dependencies: ['a'] }),
    stage('c', { dependencies: ['b'] }),
    stage('d'),
  ]);

  test('ancestors are transitive', () => {
    expect(ancestors(chain).get('c')).toEqual(new Set(['b', 'a']));
    expect(ancestors(chain).get('a')).toEqual(new Set());
  });

  test('siblings can run in parallel; a stage and its ancestors cannot', () => {
    expect(canRunInParallel(readme, 'stage-2-api', 'stage-3-frontend')).toBe(true);
    expect(canRunInParallel(readme, 'stage-1-models', 'stage-2-api')).toBe(false);
    expect(canRunInParallel(readme, 'stage-2-api', 'stage-1-models')).toBe(false);
    expect(canRunInParallel(chain, 'a', 'c')).toBe(false);
    expect(canRunInParallel(chain, 'c', 'd')).toBe(true);
    expect(canRunInParallel(chain, 'a', 'a')).toBe(false);
  });
});

describe('overlappingFiles', () => {
  test('none in the README plan: its parallel stages touch different folders', () => {
    expect(overlappingFiles(readme)).toEqual([]);
  });

  test('reports parallel stages whose globs may meet, with the pairs of globs', () => {
    const plan = planOf([
      stage('base', { files: ['src/**'] }),
      stage('api', { dependencies: ['base'], files: ['src/api/**', 'package.json'] }),
      stage('ui', { dependencies: ['base'], files: ['src/**/*.tsx', 'docs/*.md'] }),
      stage('docs', { files: ['docs/**', 'package.json'] }),
    ]);
    expect(overlappingFiles(plan)).toEqual([
      { stages: ['api', 'ui'], globs: [['src/api/**', 'src/**/*.tsx']] },
      { stages: ['api', 'docs'], globs: [['package.json', 'package.json']] },
      { stages: ['ui', 'docs'], globs: [['docs/*.md', 'docs/**']] },
    ]);
  });

  test('a stage and its dependency are never reported, whatever their files', () => {
    const plan = planOf([
      stage('a', { files: ['src/**'] }),
      stage('b', { dependencies: ['a'], files: ['src/**'] }),
    ]);
    expect(overlappingFiles(plan)).toEqual([]);
  });
});
