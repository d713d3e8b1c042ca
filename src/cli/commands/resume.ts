/**
 * `flux resume <id> [--no-start]`: a fresh session for a stage that stopped
 * (running with a dead session, failed, blocked, needs_handoff or rejected),
 * on the same worktree and branch. Its first prompt carries the latest
 * handoff, or the rejection reason and the commits already on the branch.
 * A supervisor is started, if none runs, to follow it.
 */
import { Runtime } from '../../engine/runtime.js';
import { ExitCode } from '../../errors.js';
import { resumedLines, resumeStage } from '../actions/resume.js';
import { carryOnAndSay } from '../carry-on.js';
import { print } from '../output.js';

export async function run(id: string, opts: { start?: boolean } = {}): Promise<number> {
  const runtime = Runtime.open();
  const resumed = await resumeStage(runtime, id);
  if (resumed === null) return ExitCode.ok;
  for (const line of resumedLines(runtime, resumed)) print(line);
  await carryOnAndSay(runtime, opts);
  return ExitCode.ok;
}
