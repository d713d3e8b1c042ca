/**
 * The canonical form of a stage (fixed key order, no absent keys) and the
 * plan hash built on it, so that the same plan always hashes the same however
 * its YAML was written.
 */
import { createHash } from 'node:crypto';
import type { Budget, StageDef } from './types.js';

/** A budget with its keys in a fixed order and absent ones left out. */
export function canonicalBudget(budget: Budget): Budget {
  return {
    ...(budget.usd === undefined ? {} : { usd: budget.usd }),
    ...(budget.minutes === undefined ? {} : { minutes: budget.minutes }),
    ...(budget.tokens === undefined ? {} : { tokens: budget.tokens }),
  };
}

export function canonicalStage(stage: StageDef): StageDef {
  return {
    id: stage.id,
    name: stage.name,
    description: stage.description,
    dependencies: [...stage.dependencies],
    ...(stage.parallel_group === undefined ? {} : { parallel_group: stage.parallel_group }),
    acceptance: [...stage.acceptance],
    files: [...stage.files],
    gate: stage.gate,
    // Absent unless given, so plans written before these fields hash as they did.
    ...(stage.setup === undefined || stage.setup.length === 0 ? {} : { setup: [...stage.setup] }),
    ...(stage.estimate === undefined ? {} : { estimate: stage.estimate }),
    ...(stage.budget === undefined ? {} : { budget: canonicalBudget(stage.budget) }),
  };
}

/**
 * sha256 (hex) of the canonical JSON of the stages; with a plan-level
 * `setup`, of `{setup, stages}`; with plan-level `acceptance` (the merge
 * checks), of `{setup?, stages, acceptance}`; and of the plan-wide budget when
 * there is one (a plan without any of them hashes as it always did).
 */
export function hashStages(
  stages: readonly StageDef[],
  setup: readonly string[] = [],
  budget?: Budget,
  acceptance: readonly string[] = [],
): string {
  const canonical = stages.map(canonicalStage);
  const body = JSON.stringify(
    acceptance.length > 0
      ? { ...(setup.length === 0 ? {} : { setup }), stages: canonical, acceptance }
      : setup.length === 0
        ? canonical
        : { setup, stages: canonical },
  );
  const text = budget === undefined ? body : `${body}\n${JSON.stringify(canonicalBudget(budget))}`;
  return createHash('sha256').update(text).digest('hex');
}
