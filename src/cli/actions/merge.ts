/**
 * Merging an approved stage: what `flux merge` and the dashboard's `m` key
 * both do, and the words both show for it. The merge itself is the
 * runtime's (`Runtime.merge`, under the effects lock); this decides whether
 * to try, predicts the result, and turns the outcome into lines and, when it
 * did not merge, the error that says why (exit 8 or 3).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MergePrediction } from '../../effects/git.js';
import { requireStage } from '../../engine/lookup.js';
import type { Runtime, StageMergeOutcome } from '../../engine/runtime.js';
import { dependentsOf } from '../../engine/state.js';
import { requireMergeable } from '../../engine/verify.js';
import { ExitCode, FluxError, RefusedError } from '../../errors.js';
import { paint } from '../output.js';

/** Where a stage's worktree is, as a person would type it from the repository root. */
export function shownPath(runtime: Runtime, file: string): string {
  const relative = path.relative(runtime.root, file);
  return relative.startsWith('..') ? file : relative;
}

/** `Merge into main: clean (predicted)`, or the files it would conflict in and git's CONFLICT lines. */
export function predictionLines(base: string, prediction: MergePrediction): string[] {
  if (prediction.clean === null)
    return [`Merge into ${base}: cannot predict (${prediction.unsupported ?? 'this git cannot'})`];
  if (prediction.clean) return [`Merge into ${base}: ${paint('clean', 'green')} (predicted)`];
  return [
    `Merge into ${base}: ${paint(`would conflict in ${prediction.conflicts.join(', ') || '(unknown files)'}`, 'red')}`,
    ...prediction.messages.map((message) => `  ${paint(message, 'dim')}`),
  ];
}

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

export interface MergeReport {
  lines: string[];
  /** Why it was not merged (exit 8 for a conflict, 3 for a refusal); null when it was. */
  error: FluxError | null;
}

/** The outcome of a merge in words: what was merged and removed, what is ready now, or why not. */
export function mergeReport(runtime: Runtime, id: string, outcome: StageMergeOutcome): MergeReport {
  const state = runtime.engine.load();
  const base = runtime.baseFor(state, id);
  const branch = runtime.branchName(id, state);
  const worktree = runtime.worktreePath(id, state);
  const lines = outcome.notes.map((note) => paint(note, 'dim'));
  switch (outcome.kind) {
    case 'merged':
    case 'already-merged':
    case 'nothing-to-merge': {
      if (outcome.kind === 'nothing-to-merge')
        lines.push(`${id} has no branch and no sessions: nothing to merge.`);
      else
        lines.push(
          paint(
            `${outcome.kind === 'merged' ? 'Merged' : 'Already merged:'} ${id} into ${base}: ${outcome.commit.slice(0, 12)}`,
            'green',
          ),
        );
      lines.push(
        existsSync(worktree)
          ? `Its worktree ${shownPath(runtime, worktree)} was kept (see \`flux worktree list\`; \`flux worktree clean\` removes it once it is clean).`
          : `Removed its worktree and branch ${branch}, and ended its tmux session.`,
      );
      const ready = dependentsOf(state, id).filter((dep) => state.stages[dep]?.status === 'ready');
      if (ready.length > 0) lines.push(`Ready now: ${ready.join(', ')} (\`flux run\` starts them)`);
      return { lines, error: null };
    }
    case 'conflict':
      return {
        lines,
        error: new FluxError(
          `${id} was not merged: merging ${branch} into ${base} conflicts in ${outcome.conflicts.join(', ')}; ${base} is unchanged`,
          ExitCode.mergeConflict,
          [
            `the worktree ${worktree} and the branch ${branch} are kept, and ${id} stays verified. Resolve it there, then merge again:`,
            `  cd ${worktree}`,
            `  git merge ${base}          # stops on the same conflicts`,
            `  (edit the files) git add <files> && git commit`,
            `  flux merge ${id}`,
          ].join('\n'),
        ),
      };
    case 'refused':
      return {
        lines,
        error: new RefusedError(
          `${id} was not merged: ${outcome.reason}`,
          `${id} stays verified and its worktree and branch are kept; ${outcome.hint || `fix that, then \`flux merge ${id}\``}`,
        ),
      };
  }
}
