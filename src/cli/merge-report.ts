/**
 * What a merge came to, as `flux merge`, `flux verify`, `flux resume` and the
 * dashboard say it: the predicted merge, the outcome (or the error that says
 * what to do), and paths as a person would type them. The `…Lines` functions
 * give the words; the `print…`/`report…` ones print them for a command.
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

export function printPrediction(base: string, prediction: MergePrediction): void {
  for (const line of predictionLines(base, prediction)) print(line);
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

/** Prints the outcome of a merge; throws (exit 8 or 3) when it did not happen. */
export function reportMerge(runtime: Runtime, id: string, outcome: StageMergeOutcome): number {
  const report = mergeReport(runtime, id, outcome);
  for (const line of report.lines) print(line);
  if (report.error !== null) throw report.error;
  return ExitCode.ok;
}
