/**
 * The dependency graph of a plan. An edge `a → b` means "a depends on b":
 * b must be merged before a is ready.
 */
import { PlanError } from '../errors.js';
import { globsMayOverlap } from './overlap.js';
import type { Plan, StageDef } from './types.js';

/** Just what the graph functions need, so they also work on unvalidated stages. */
export type StageNode = Pick<StageDef, 'id' | 'dependencies'>;

/** For every stage, the stages that depend on it directly, in document order. */
export function dependents(plan: Plan): Map<string, string[]> {
  const result = new Map<string, string[]>(plan.stages.map((stage) => [stage.id, []]));
  for (const stage of plan.stages) {
    for (const dependency of stage.dependencies) result.get(dependency)?.push(stage.id);
  }
  return result;
}

/**
 * A cycle as a path `[a, b, ..., a]` in which each stage depends on the next,
 * starting at its stage that comes first in the document; null when there is
 * none. Dependencies on unknown ids are ignored.
 */
export function findCycle(stages: readonly StageNode[]): string[] | null {
  const dependenciesOf = new Map(stages.map((stage) => [stage.id, stage.dependencies]));
  const position = new Map(stages.map((stage, index) => [stage.id, index]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];

  const visit = (id: string): string[] | null => {
    state.set(id, 'open');
    stack.push(id);
    for (const dependency of dependenciesOf.get(id) ?? []) {
      if (!dependenciesOf.has(dependency)) continue;
      if (state.get(dependency) === 'open') return stack.slice(stack.indexOf(dependency));
      if (state.get(dependency) === undefined) {
        const found = visit(dependency);
        if (found !== null) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };

  for (const stage of stages) {
    if (state.has(stage.id)) continue;
    const cycle = visit(stage.id);
    if (cycle === null) continue;
    // Rotate so the same cycle is always reported the same way.
    const earliest = cycle.reduce(
      (best, id, i) => ((position.get(id) ?? 0) < (position.get(cycle[best] as string) ?? 0) ? i : best),
      0,
    );
    const rotated = [...cycle.slice(earliest), ...cycle.slice(0, earliest)];
    return [...rotated, rotated[0] as string];
  }
  return null;
}

/**
 * Stages ordered so that every dependency comes before its dependents; among
 * stages free to go next, the one earlier in the document goes first.
 */
export function topologicalOrder(plan: Plan): StageDef[] {
  const known = new Set(plan.stages.map((stage) => stage.id));
  const placed = new Set<string>();
  const order: StageDef[] = [];
  while (order.length < plan.stages.length) {
    const next = plan.stages.find(
      (stage) =>
        !placed.has(stage.id) &&
        stage.dependencies.every((dependency) => placed.has(dependency) || !known.has(dependency)),
    );
    if (next === undefined) {
      // parsePlan rejects cycles; this guards hand-built plans.
      const cycle = findCycle(plan.stages) ?? [];
      throw new PlanError({
        location: { file: plan.path },
        field: 'dependencies',
        message: `dependency cycle: ${cycle.join(' → ')}`,
        hint: 'remove one of these dependencies',
      });
    }
    placed.add(next.id);
    order.push(next);
  }
  return order;
}

/** For every stage, all the stages it depends on directly or transitively. */
export function ancestors(plan: Plan): Map<string, Set<string>> {
  const byId = new Map(plan.stages.map((stage) => [stage.id, stage]));
  const result = new Map<string, Set<string>>();
  const collect = (id: string, trail: Set<string>): Set<string> => {
    const cached = result.get(id);
    if (cached !== undefined) return cached;
    const all = new Set<string>();
    trail.add(id);
    for (const dependency of byId.get(id)?.dependencies ?? []) {
      if (!byId.has(dependency) || trail.has(dependency)) continue;
      all.add(dependency);
      for (const ancestor of collect(dependency, trail)) all.add(ancestor);
    }
    trail.delete(id);
    result.set(id, all);
    return all;
  };
  for (const stage of plan.stages) collect(stage.id, new Set());
  return result;
}

/** Two different stages can run at the same time when neither depends on the other, even indirectly. */
export function canRunInParallel(plan: Plan, a: string, b: string): boolean {
  if (a === b) return false;
  const all = ancestors(plan);
  return !(all.get(a)?.has(b) ?? false) && !(all.get(b)?.has(a) ?? false);
}

export interface FileOverlap {
  /** Two stages that can run in parallel, in document order. */
  stages: [string, string];
  /** The pairs of their `files` globs that may match the same file. */
  globs: [string, string][];
}

/** Stages that can run in parallel and may change the same files: `flux init` warns about them. */
export function overlappingFiles(plan: Plan): FileOverlap[] {
  const all = ancestors(plan);
  const overlaps: FileOverlap[] = [];
  plan.stages.forEach((a, i) => {
    for (const b of plan.stages.slice(i + 1)) {
      if (all.get(a.id)?.has(b.id) || all.get(b.id)?.has(a.id)) continue;
      const globs = a.files.flatMap((x) =>
        b.files.filter((y) => globsMayOverlap(x, y)).map((y): [string, string] => [x, y]),
      );
      if (globs.length > 0) overlaps.push({ stages: [a.id, b.id], globs });
    }
  });
  return overlaps;
}
