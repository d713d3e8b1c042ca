/**
 * The canonical form of a stage (fixed key order, no absent keys) and the
 * plan hash built on it, so that the same plan always hashes the same however
 * its YAML was written.
 */
import { createHash } from 'node:crypto';
import type { StageDef } from './types.js';

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
  };
}

/**
 * sha256 (hex) of the canonical JSON of the stages, and of the plan-level
 * checks when there are any (a plan without them hashes as it always did).
 */
export function hashStages(stages: readonly StageDef[], acceptance: readonly string[] = []): string {
  const canonical = stages.map(canonicalStage);
  return createHash('sha256')
    .update(JSON.stringify(acceptance.length === 0 ? canonical : { stages: canonical, acceptance }))
    .digest('hex');
}
