/**
 * What a merge came to, as `flux merge`, `flux verify` and `flux resume`
 * print it: the predicted merge, the outcome (or the error that says what
 * to do), and paths as a person would type them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MergePrediction } from '../effects/git.js';
import type { Runtime, StageMergeOutcome } from '../engine/runtime.js';
import { dependentsOf } from '../engine/state.js';
import { ExitCode, FluxError, RefusedError } from '../errors.js';
import { paint, print } from './output.js';

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

/** Prints the outcome of a merge; throws (exit 8 or 3) when it did not happen. */
export function reportMerge(runtime: Runtime, id: string, outcome: StageMergeOutcome): number {
  const state = runtime.engine.load();
  const base = runtime.baseFor(state, id);
  const branch = runtime.branchName(id, state);
  const worktree = runtime.worktreePath(id, state);
  for (const note of outcome.notes) print(paint(note, 'dim'));
  switch (outcome.kind) {
    case 'merged':
    case 'already-merged':
    case 'nothing-to-merge': {
      if (outcome.kind === 'nothing-to-merge')
        print(`${id} has no branch and no sessions: nothing to merge.`);
      else
        print(
          paint(
            `${outcome.kind === 'merged' ? 'Merged' : 'Already merged:'} ${id} into ${base}: ${outcome.commit.slice(0, 12)}`,
            'green',
          ),
        );
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
    case 'conflict':
      throw new FluxError(
        `${id} was not merged: merging ${branch} into ${base} conflicts in ${outcome.conflicts.join(', ')}; ${base} is unchanged`,
        ExitCode.mergeConflict,
        [
          `the worktree ${worktree} and the branch ${branch} are kept, and ${id} stays verified. Resolve it there, then merge again:`,
          `  cd ${worktree}`,
          `  git merge ${base}          # stops on the same conflicts`,
          `  (edit the files) git add <files> && git commit`,
          `  flux merge ${id}`,
        ].join('\n'),
      );
    case 'refused':
      throw new RefusedError(
        `${id} was not merged: ${outcome.reason}`,
        `${id} stays verified and its worktree and branch are kept; ${outcome.hint || `fix that, then \`flux merge ${id}\``}`,
      );
  }
}
