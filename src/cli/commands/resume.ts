/**
 * `flux resume <id>`: a fresh session for a stage that stopped (running with
 * a dead session, failed, blocked, needs_handoff or rejected), on the same
 * worktree and branch. Its first prompt carries the latest handoff, or the
 * rejection reason and the commits already on the branch.
 */
import { Runtime } from '../../engine/runtime.js';
import { ExitCode } from '../../errors.js';
import { resumedLines, resumeStage } from '../actions/resume.js';
import { print } from '../output.js';

export async function run(id: string): Promise<number> {
  const runtime = Runtime.open();
  const resumed = await resumeStage(runtime, id);
  if (resumed !== null) for (const line of resumedLines(runtime, resumed)) print(line);
  return ExitCode.ok;
}
