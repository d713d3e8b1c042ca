/**
 * `flux merge <id>`: merge an approved (verified) stage into the base branch,
 * e.g. after `flux verify --no-merge` or a merge that stopped on conflicts.
 * It prints the predicted conflicts first, then merges through the runtime,
 * which records `stage.merged` (and removes the worktree, the branch and the
 * tmux session) or `stage.merge_failed` (and keeps everything).
 */
import { requireStage } from '../../engine/lookup.js';
import { Runtime } from '../../engine/runtime.js';
import { requireMergeable } from '../../engine/verify.js';
import { ExitCode } from '../../errors.js';
import { mergeThenCarryOn, sayCarryOn } from '../carry-on.js';
import { printPrediction, reportMerge } from '../merge-report.js';
import { paint, print } from '../output.js';

export async function run(id: string, options: { start?: boolean } = {}): Promise<number> {
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
  if (stage.reason !== null) print(paint(`Last attempt: ${stage.reason}`, 'dim'));
  if (await runtime.git.branchExists(branch))
    printPrediction(base, await runtime.git.predictMerge(base, branch));
  print(`Merging ${branch} into ${base}…`);
  const { outcome, carried } = await mergeThenCarryOn(runtime, id, options);
  const exit = reportMerge(runtime, id, outcome);
  sayCarryOn(carried);
  return exit;
}
