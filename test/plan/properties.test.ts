import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PlanError } from '../../src/errors.js';
import { findCycle, topologicalOrder } from '../../src/plan/dag.js';
import { globToRegExp } from '../../src/plan/glob.js';
import { globsMayOverlap } from '../../src/plan/overlap.js';
import { parsePlan } from '../../src/plan/parse.js';
import { planDocument } from './helpers.js';

interface GraphStage {
  id: string;
  dependencies: string[];
}

const stageId = fc.stringMatching(/^[a-z0-9_][a-z0-9_-]{0,11}$/);

/**
 * An acyclic graph: stage k may only depend on stages before it in a hidden
 * rank order; the document order is an independent shuffle of it.
 */
const dagArbitrary = fc
  .uniqueArray(stageId, { minLength: 1, maxLength: 12 })
  .chain((ids) =>
    fc.record({
      ids: fc.constant(ids),
      edges: fc.array(fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
      documentOrder: fc.shuffledSubarray([...ids.keys()], { minLength: ids.length, maxLength: ids.length }),
    }),
  )
  .map(({ ids, edges, documentOrder }) =>
    documentOrder.map((rank): GraphStage => ({
      id: ids[rank] as string,
      dependencies: ids.filter((_, other) => other < rank && edges[rank]?.[other] === true),
    })),
  );

/** A random graph plus a cycle through distinct stages (a self-dependency when it has one stage). */
const cyclicArbitrary = fc
  .uniqueArray(stageId, { minLength: 1, maxLength: 10 })
  .chain((ids) =>
    fc.record({
      ids: fc.constant(ids),
      extraEdges: fc.array(fc.tuple(fc.nat({ max: ids.length - 1 }), fc.nat({ max: ids.length - 1 })), {
        maxLength: 20,
      }),
      cycle: fc.shuffledSubarray([...ids.keys()], { minLength: 1 }),
    }),
  )
  .map(({ ids, extraEdges, cycle }) => {
    const edges = new Set(extraEdges.map(([from, to]) => `${from} ${to}`));
    cycle.forEach((from, k) => edges.add(`${from} ${cycle[(k + 1) % cycle.length]}`));
    return ids.map((id, from): GraphStage => ({
      id,
      dependencies: ids.filter((_, to) => edges.has(`${from} ${to}`)),
    }));
  });

// Ids are quoted: `123` or `true` would otherwise not be YAML strings.
function blockYaml(stages: GraphStage[]): string {
  const body = stages
    .map((s, i) => {
      const deps = s.dependencies.map((d) => `\n        - "${d}"`).join('');
      return `    - id: "${s.id}"\n      name: "Stage ${i}"\n      dependencies:${deps === '' ? ' []' : deps}\n      files: ["src/${s.id}/**"]\n`;
    })
    .join('');
  return `flux:\n  version: 1\n  stages:\n${body}`;
}

function flowYaml(stages: GraphStage[]): string {
  const body = stages
    .map(
      (s, i) =>
        `{files: ["src/${s.id}/**"], id: "${s.id}", name: Stage ${i}, dependencies: [${s.dependencies.map((d) => `'${d}'`).join(', ')}], gate: human}`,
    )
    .join(', ');
  return `flux: {version: 1, stages: [${body}]}\n`;
}

describe('random dependency graphs', () => {
  test('an acyclic plan always parses, in both YAML styles to the same hash, and orders dependencies first', () => {
    fc.assert(
      fc.property(dagArbitrary, (graph) => {
        const plan = parsePlan(planDocument(blockYaml(graph)), 'p.md');
        expect(parsePlan(planDocument(flowYaml(graph)), 'p.md').hash).toBe(plan.hash);
        expect(plan.stages.map((s) => s.id)).toEqual(graph.map((s) => s.id));
        expect(findCycle(plan.stages)).toBeNull();

        const order = topologicalOrder(plan).map((s) => s.id);
        expect([...order].sort()).toEqual(graph.map((s) => s.id).sort());
        for (const s of graph) {
          for (const dependency of s.dependencies) {
            expect(order.indexOf(dependency)).toBeLessThan(order.indexOf(s.id));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test('with an injected cycle, findCycle returns a real cycle and parsePlan refuses the plan', () => {
    fc.assert(
      fc.property(cyclicArbitrary, (graph) => {
        const cycle = findCycle(graph);
        expect(cycle).not.toBeNull();
        const path = cycle as string[];
        expect(path.length).toBeGreaterThanOrEqual(2);
        expect(path.at(-1)).toBe(path[0]);
        expect(new Set(path.slice(0, -1)).size).toBe(path.length - 1);
        for (let k = 0; k + 1 < path.length; k++) {
          const from = graph.find((s) => s.id === path[k]);
          expect(from?.dependencies).toContain(path[k + 1]);
        }

        const error = (() => {
          try {
            parsePlan(planDocument(blockYaml(graph)), 'p.md');
          } catch (caught) {
            return caught;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(PlanError);
        expect((error as PlanError).field).toBe('dependencies');
      }),
      { numRuns: 300 },
    );
  });
});

/** Every path over `a`, `b` and `/` up to `length` characters. */
function allPaths(length: number): string[] {
  let layer = [''];
  const all = [''];
  for (let i = 0; i < length; i++) {
    layer = layer.flatMap((path) => ['a', 'b', '/'].map((ch) => path + ch));
    all.push(...layer);
  }
  return all;
}

const SMALL_PATHS = allPaths(5);

const globArbitrary = fc
  .array(fc.constantFrom('a', 'b', '/', '*', '**', '?', '[ab]', '[!a]', '{a,b/}', '{,a*}'), { maxLength: 5 })
  .map((parts) => parts.join(''));

describe('random globs', () => {
  test('the overlap test is conservative: globs sharing a match always may overlap', () => {
    fc.assert(
      fc.property(globArbitrary, globArbitrary, (a, b) => {
        const regA = globToRegExp(a);
        const regB = globToRegExp(b);
        const shared = SMALL_PATHS.find((path) => regA.test(path) && regB.test(path));
        if (shared !== undefined) expect(globsMayOverlap(a, b), `both match ${shared}`).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test('a path without glob characters matches itself and nothing else', () => {
    const pathArbitrary = fc
      .array(fc.constantFrom('a', 'Z', '0', '.', '-', '_', '/', '+', '(', ')', '$', '^', '|', ' ', 'é'), {
        minLength: 1,
        maxLength: 12,
      })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(pathArbitrary, pathArbitrary, (path, other) => {
        expect(globToRegExp(path).test(path)).toBe(true);
        expect(globToRegExp(path).test(other)).toBe(path === other);
      }),
    );
  });
});
