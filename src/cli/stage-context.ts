/**
 * Which stage an agent-side command (`flux done`, `flux handoff`) acts for:
 * the stage named on the command line, else the session's environment, else
 * the stage worktree the command runs in.
 */
import path from 'node:path';
import { ENV } from '../agents/protocol.js';
import { requireStage } from '../engine/lookup.js';
import type { FluxState, StageState } from '../engine/state.js';
import { UsageError } from '../errors.js';
import { WORKTREES_DIR_NAME } from '../paths.js';

export function stageForCommand(state: FluxState, root: string, named: string | undefined): StageState {
  if (named !== undefined) return requireStage(state, named);
  const fromEnv = process.env[ENV.stage];
  if (fromEnv !== undefined && state.stages[fromEnv] !== undefined) return state.stages[fromEnv]!;
  const relative = path.relative(path.join(root, WORKTREES_DIR_NAME), process.cwd());
  const [first] = relative.split(path.sep);
  if (!relative.startsWith('..') && first !== undefined && state.stages[first] !== undefined)
    return state.stages[first]!;
  throw new UsageError(
    'which stage? run this in a stage worktree, or name the stage',
    'e.g. `flux done stage-2-api`',
  );
}
