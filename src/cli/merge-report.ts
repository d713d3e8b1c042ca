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
import { dependentsOf, type FluxState } from '../engine/state.js';
import type { AcceptanceResult } from '../log/events.js';
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
  const attempts = runtime.config.merge.resolve_attempts;
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
          backToAgent(state, id, base, 'resolves the conflicts, keeping both sides', attempts) ??
            [
              `the worktree ${worktree} and the branch ${branch} are kept, and ${id} stays verified. Resolve it there, then merge again:`,
              `  cd ${worktree}`,
              `  git merge ${base}          # stops on the same conflicts`,
              `  (edit the files) git add <files> && git commit`,
              `  flux merge ${id}`,
            ].join('\n'),
        ),
      };
    case 'checks-failed':
      return {
        lines: [...lines, ...failedCheckLines(outcome.results)],
        error: new FluxError(
          `${id} was not merged: the merged tree fails the checks (${failedCommands(outcome.results)}); ${base} is unchanged`,
          ExitCode.mergeChecksFailed,
          backToAgent(state, id, base, 'makes the checks pass', attempts) ??
            `the worktree ${worktree} and the branch ${branch} are kept, and ${id} stays verified. There: \`git merge ${base}\`, make the checks pass, commit, then \`flux merge ${id}\``,
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

function failedCommands(results: readonly AcceptanceResult[]): string {
  return results
    .filter((r) => r.timed_out || r.exit_code !== 0)
    .map((r) => r.command)
    .join(', ');
}

/** Each check with its verdict, and the last lines of what the failing ones printed. */
export function failedCheckLines(results: readonly AcceptanceResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    const failed = result.timed_out || result.exit_code !== 0;
    lines.push(
      paint(
        `${failed ? '✗' : '✓'} ${result.command}${result.timed_out ? ' (timed out)' : failed ? ` (exited ${result.exit_code ?? 'by a signal'})` : ''}`,
        failed ? 'red' : 'green',
      ),
    );
    if (failed)
      lines.push(
        ...result.output_tail
          .trimEnd()
          .split('\n')
          .slice(-10)
          .map((line) => `    ${line}`),
      );
  }
  return lines;
}

/** The hint when the queue sent the stage back to its agent; null when it waits for a person. */
function backToAgent(state: FluxState, id: string, base: string, what: string, max: number): string | null {
  const resolution = state.stages[id]?.resolution;
  if (resolution === null || resolution === undefined || resolution.next !== 'agent') return null;
  return `${id} goes back to its agent (attempt ${resolution.attempts} of ${max}): a session merges ${base} into its branch, ${what} and runs \`flux done\`; then it is merged. \`flux status\` shows it`;
}

/** Prints the outcome of a merge; throws (exit 8 or 3) when it did not happen. */
export function reportMerge(runtime: Runtime, id: string, outcome: StageMergeOutcome): number {
  const report = mergeReport(runtime, id, outcome);
  for (const line of report.lines) print(line);
  if (report.error !== null) throw report.error;
  return ExitCode.ok;
}
