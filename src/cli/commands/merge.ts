/**
 * `flux merge <id> [--no-start]`: merge an approved (verified) stage into the
 * base branch, e.g. after `flux verify --no-merge` or a merge that stopped on
 * conflicts. It prints the predicted conflicts first, then merges through the
 * runtime, which records `stage.merged` (and removes the worktree, the branch
 * and the tmux session) or `stage.merge_failed` (and keeps everything); what
 * the merge lets start starts, with a supervisor to carry on.
 */
import { Runtime } from '../../engine/runtime.js';
import { ExitCode } from '../../errors.js';
import { planLines, planMerge } from '../actions/merge.js';
import { mergeThenCarryOn, sayCarryOn } from '../carry-on.js';
import { reportMerge } from '../merge-report.js';
import { print } from '../output.js';

export async function run(id: string, options: { start?: boolean } = {}): Promise<number> {
  const runtime = Runtime.open();
  const plan = await planMerge(runtime, id);
  for (const line of planLines(plan)) print(line);
  if (plan.kind === 'already-merged') return ExitCode.ok;
  const { outcome, carried } = await mergeThenCarryOn(runtime, id, options);
  const exit = reportMerge(runtime, id, outcome);
  sayCarryOn(carried);
  return exit;
}
