/** The plan layer: plan document → validated Plan → dependency graph. */
export type { Gate, Plan, StageDef } from './types.js';
export { parsePlan } from './parse.js';
export { loadPlan } from './load.js';
export {
  ancestors,
  canRunInParallel,
  dependents,
  findCycle,
  overlappingFiles,
  topologicalOrder,
  type FileOverlap,
  type StageNode,
} from './dag.js';
export { globToRegExp, GlobSyntaxError, matchesAny } from './glob.js';
export { globsMayOverlap } from './overlap.js';
