/** Reads a plan file from disk and parses it. */
import { decodePlan } from './encoding.js';
import { parsePlan } from './parse.js';
import { readPlanFile, resolvePlanFile } from './plan-file.js';
import type { Plan } from './types.js';

/**
 * Reads and parses `absPath`, which must be a regular file inside `repoRoot`
 * once links are resolved. `Plan.path` is its real path relative to
 * `repoRoot`, with `/` separators.
 */
export function loadPlan(absPath: string, repoRoot: string): Plan {
  const plan = resolvePlanFile(absPath, repoRoot);
  return parsePlan(decodePlan(readPlanFile(plan), plan.file), plan.file);
}
