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
    // Absent unless given, so plans written before these fields hash as they did.
    ...(stage.setup === undefined || stage.setup.length === 0 ? {} : { setup: [...stage.setup] }),
    ...(stage.estimate === undefined ? {} : { estimate: stage.estimate }),
  };
}

/**
 * sha256 (hex) of the canonical JSON of the stages; with a plan-level
 * `setup`, of `{setup, stages}` (a plan without one hashes as it always did).
 */
export function hashStages(stages: readonly StageDef[], setup: readonly string[] = []): string {
  const canonical = stages.map(canonicalStage);
  return createHash('sha256')
    .update(JSON.stringify(setup.length === 0 ? canonical : { setup, stages: canonical }))
    .digest('hex');
}
