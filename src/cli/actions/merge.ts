/**
 * Merging an approved stage: what `flux merge` and the dashboard's `m` key
 * both do. The merge itself is the runtime's (`Runtime.merge`, under the
 * effects lock), followed by what it lets start (`mergeThenCarryOn`); this
 * decides whether to try and predicts the result. The words for the outcome
 * are src/cli/merge-report.ts's.
 */
import type { MergePrediction } from '../../effects/git.js';
import { requireStage } from '../../engine/lookup.js';
import type { Runtime } from '../../engine/runtime.js';
import { requireMergeable } from '../../engine/verify.js';
import { paint } from '../output.js';
import { predictionLines } from '../merge-report.js';

/** What `flux merge` is about to do, found out before anything changes. */
export type MergePlan =
  | { kind: 'already-merged'; id: string; commit: string | null }
  | {
      kind: 'merge';
      id: string;
      base: string;
      branch: string;
      /** Why the last attempt did not merge, if one failed. */
      lastAttempt: string | null;
      /** null when the branch does not exist (the runtime then says why it cannot merge). */
      prediction: MergePrediction | null;
    };

/** Refuses a stage that is not verified (exit 3); predicts the merge with `git merge-tree`. */
export async function planMerge(runtime: Runtime, id: string): Promise<MergePlan> {
  const state = runtime.engine.load();
  const stage = requireStage(state, id);
  if (!requireMergeable(state, stage)) return { kind: 'already-merged', id, commit: stage.mergedCommit };
  const base = runtime.baseBranch(state);
  const branch = runtime.branchName(id);
  const prediction = (await runtime.git.branchExists(branch))
    ? await runtime.git.predictMerge(base, branch)
    : null;
  return { kind: 'merge', id, base, branch, lastAttempt: stage.reason, prediction };
}

export function planLines(plan: MergePlan): string[] {
  if (plan.kind === 'already-merged')
    return [
      `${plan.id} is already merged${plan.commit === null ? '' : ` (${plan.commit.slice(0, 12)})`}. Nothing to do.`,
    ];
  return [
    ...(plan.lastAttempt === null ? [] : [paint(`Last attempt: ${plan.lastAttempt}`, 'dim')]),
    ...(plan.prediction === null ? [] : predictionLines(plan.base, plan.prediction)),
    `Merging ${plan.branch} into ${plan.base}…`,
  ];
}
