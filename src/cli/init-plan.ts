/**
 * Initializing a plan, for `flux init` and `flux demo`: validate the plan,
 * then create `.work/` (or record the changed plan in it). A first init
 * builds the workspace in a temporary directory and renames it into place,
 * so a failure leaves nothing behind; an invalid plan fails before anything
 * is written at all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultConfigToml } from '../engine/config.js';
import { Engine } from '../engine/engine.js';
import { commitPlan, describeChange, type InitOutcome, type InitResult } from '../engine/plan-change.js';
import {
  currentBranch,
  excludeFluxFiles,
  findRepository,
  requireHeadCommit,
} from '../engine/runtime/standalone.js';
import type { FluxState } from '../engine/state.js';
import { workspaceAt } from '../engine/workspace.js';
import { createWorkspace } from '../engine/workspace-create.js';
import { overlappingFiles } from '../plan/dag.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import { paint, print, warn } from './output.js';

export interface InitOptions {
  force?: boolean;
}

export interface Initialized {
  outcome: InitOutcome;
  state: FluxState;
  plan: Plan;
  baseBranch: string | null;
}

/** Validates the plan and creates the workspace, or records the changed plan in it; prints only warnings. */
export async function initialize(planPath: string, options: InitOptions): Promise<Initialized> {
  const root = await findRepository(process.cwd());
  // A regular file inside the repository once links are resolved (src/plan/plan-file.ts).
  const plan = loadPlan(path.resolve(process.cwd(), planPath), root);
  await requireHeadCommit(root, 'stages fork from it', 'flux init');
  for (const overlap of overlappingFiles(plan)) {
    const [a, b] = overlap.stages;
    const globs = overlap.globs.map(([x, y]) => (x === y ? x : `${x} ~ ${y}`)).join(', ');
    warn(`${a} and ${b} can run in parallel and both may change ${globs}: their merges may conflict`);
  }

  const baseBranch = await currentBranch(root);
  const ws = workspaceAt(root);
  const { outcome, state } = existsSync(ws.logPath)
    ? commitPlan(new Engine(ws), plan, baseBranch, options.force === true)
    : createPlanWorkspace(root, plan, baseBranch);
  await excludeFluxFiles(root);
  return { outcome, state, plan, baseBranch };
}

function createPlanWorkspace(root: string, plan: Plan, baseBranch: string | null): InitResult {
  return createWorkspace(root, defaultConfigToml(plan.path, baseBranch), (staged) =>
    commitPlan(new Engine(staged), plan, baseBranch, false),
  );
}

/** What init did, and which stages are ready now. */
export function report({ outcome, state, plan, baseBranch }: Initialized): void {
  const ready = state.order.filter((id) => state.stages[id]!.status === 'ready');
  switch (outcome.kind) {
    case 'unchanged':
      print(`Plan unchanged: ${plan.path} (${plan.stages.length} stages). Nothing to do.`);
      return;
    case 'updated':
      print(`Updated the plan from ${plan.path}:`);
      for (const line of describeChange(outcome.change!)) print(`  ${line}`);
      break;
    case 'created':
      print(`${paint('Initialized', 'green')} ${plan.title} (${plan.path}): ${plan.stages.length} stages.`);
      print(`Base branch: ${baseBranch ?? '(detached HEAD: set run.base_branch in .work/config.toml)'}`);
      break;
  }
  print(`Ready now: ${ready.length === 0 ? 'none' : ready.join(', ')}`);
}
