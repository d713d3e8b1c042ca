/**
 * `flux merge <id>`: merge an approved (verified) stage into the base branch,
 * e.g. after `flux verify --no-merge` or a merge that stopped on conflicts.
 * It prints the predicted conflicts first, then merges through the runtime,
 * which records `stage.merged` (and removes the worktree, the branch and the
 * tmux session) or `stage.merge_failed` (and keeps everything).
 */
import { Runtime, type StageMergeOutcome } from '../../engine/runtime.js';
import { ExitCode } from '../../errors.js';
import { mergeReport, planLines, planMerge } from '../actions/merge.js';
import { print } from '../output.js';

export { shownPath } from '../actions/merge.js';

/** Prints the outcome of a merge; throws (exit 8 or 3) when it did not happen. */
export function reportMerge(runtime: Runtime, id: string, outcome: StageMergeOutcome): number {
  const report = mergeReport(runtime, id, outcome);
  for (const line of report.lines) print(line);
  if (report.error !== null) throw report.error;
  return ExitCode.ok;
}

export async function run(id: string): Promise<number> {
  const runtime = Runtime.open();
  const plan = await planMerge(runtime, id);
  for (const line of planLines(plan)) print(line);
  if (plan.kind === 'already-merged') return ExitCode.ok;
  return reportMerge(runtime, id, await runtime.merge(id));
}
