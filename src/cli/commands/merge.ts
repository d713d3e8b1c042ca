/**
 * `flux merge <id>`: merge an approved (verified) stage into the base branch,
 * e.g. after `flux verify --no-merge` or a merge that stopped on conflicts.
 * It prints the predicted conflicts first, then merges through the runtime,
 * which records `stage.merged` (and removes the worktree, the branch and the
 * tmux session) or `stage.merge_failed` (and keeps everything).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MergePrediction } from '../../effects/git.js';
import { requireStage } from '../../engine/lookup.js';
import { Runtime, type MergeOutcome } from '../../engine/runtime.js';
import { dependentsOf } from '../../engine/state.js';
import { requireMergeable } from '../../engine/verify.js';
import { ExitCode, FluxError, RefusedError } from '../../errors.js';
import { paint, print } from '../output.js';

/** Where a stage's worktree is, as a person would type it from the repository root. */
export function shownPath(runtime: Runtime, file: string): string {
  const relative = path.relative(runtime.root, file);
  return relative.startsWith('..') ? file : relative;
}

export function printPrediction(base: string, prediction: MergePrediction): void {
  if (prediction.clean === null) {
    print(`Merge into ${base}: cannot predict (${prediction.unsupported ?? 'this git cannot'})`);
  } else if (prediction.clean) {
    print(`Merge into ${base}: ${paint('clean', 'green')} (predicted)`);
  } else {
    print(
      `Merge into ${base}: ${paint(`would conflict in ${prediction.conflicts.join(', ') || '(unknown files)'}`, 'red')}`,
    );
    for (const message of prediction.messages) print(`  ${paint(message, 'dim')}`);
  }
}

/** What to do about a merge that was refused, by what refused it. */
function refusalHint(runtime: Runtime, id: string, base: string, reason: string): string {
  const retry = `then \`flux merge ${id}\``;
  if (reason.startsWith('the main worktree has uncommitted changes'))
    return `commit or stash them in ${runtime.root}, ${retry}`;
  if (/^the main worktree .* is on /.test(reason))
    return `run \`git switch ${base}\` in ${runtime.root}, ${retry}`;
  if (reason.startsWith("the stage's worktree has uncommitted changes"))
    return `commit them in ${runtime.worktreePath(id)} (only commits are merged) or discard them, ${retry}`;
  return `fix that, ${retry}`;
}

/** Prints the outcome of a merge; throws (exit 8 or 3) when it did not happen. */
export function reportMerge(runtime: Runtime, id: string, outcome: MergeOutcome): number {
  const state = runtime.engine.load();
  const base = runtime.baseBranch(state);
  const branch = runtime.branchName(id);
  const worktree = runtime.worktreePath(id);
  if (outcome.merged) {
    print(paint(`Merged ${id} into ${base}: ${outcome.commit.slice(0, 12)}`, 'green'));
    const kept = existsSync(worktree);
    print(
      kept
        ? `Its worktree ${shownPath(runtime, worktree)} was kept (see \`flux worktree list\`; \`flux worktree clean\` removes it once it is clean).`
        : `Removed its worktree and branch ${branch}, and ended its tmux session.`,
    );
    const ready = dependentsOf(state, id).filter((dep) => state.stages[dep]?.status === 'ready');
    if (ready.length > 0) print(`Ready now: ${ready.join(', ')} (\`flux run\` starts them)`);
    return ExitCode.ok;
  }
  if (outcome.conflicts.length > 0) {
    throw new FluxError(
      `${id} was not merged: merging ${branch} into ${base} conflicts in ${outcome.conflicts.join(', ')}; the merge was aborted and ${base} is unchanged`,
      ExitCode.mergeConflict,
      [
        `the worktree ${worktree} and the branch ${branch} are kept, and ${id} stays verified. Resolve it there, then merge again:`,
        `  cd ${worktree}`,
        `  git merge ${base}          # stops on the same conflicts`,
        `  (edit the files) git add <files> && git commit`,
        `  flux merge ${id}`,
      ].join('\n'),
    );
  }
  throw new RefusedError(
    `${id} was not merged: ${outcome.reason}`,
    `${id} stays verified and its worktree and branch are kept; ${refusalHint(runtime, id, base, outcome.reason)}`,
  );
}

export async function run(id: string): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const stage = requireStage(state, id);
  if (!requireMergeable(state, stage)) {
    print(
      `${id} is already merged${stage.mergedCommit === null ? '' : ` (${stage.mergedCommit.slice(0, 12)})`}. Nothing to do.`,
    );
    return ExitCode.ok;
  }
  const base = runtime.baseBranch(state);
  const branch = runtime.branchName(id);
  if (!(await runtime.git.branchExists(branch))) {
    throw new RefusedError(
      `${id} has no branch ${branch}: there is nothing to merge`,
      `\`flux stage ${id} reset\` starts the stage over`,
    );
  }
  if (stage.reason !== null) print(paint(`Last attempt: ${stage.reason}`, 'dim'));
  printPrediction(base, await runtime.git.predictMerge(base, branch));
  print(`Merging ${branch} into ${base}…`);
  return reportMerge(runtime, id, await runtime.merge(id));
}
