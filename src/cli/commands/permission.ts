/**
 * `flux approve <stage>` / `flux deny <stage> [--reason <text>]`: answer the
 * permission question a stage's agent is waiting on, without attaching. The
 * answer is an event; the agent's waiting PermissionRequest hook passes it to
 * Claude Code (docs/claude-code.md). Then, unless `--no-start`, a supervisor
 * is started if none runs, to merge the stage and start what follows.
 */
import { Runtime } from '../../engine/runtime.js';
import { answerPermission, describeAnswer } from '../actions/permission.js';
import { carryOnAndSay } from '../carry-on.js';
import { print } from '../output.js';

async function answer(
  target: string,
  decision: 'allow' | 'deny',
  reason: string | undefined,
  start: boolean,
): Promise<number> {
  const runtime = Runtime.open();
  print(describeAnswer(answerPermission(runtime.engine, target, decision, reason)));
  // The agent goes on: something must be there to merge its stage and start what follows.
  await carryOnAndSay(runtime, { start });
  return 0;
}

export function approve(target: string, options: { start?: boolean } = {}): Promise<number> {
  return answer(target, 'allow', undefined, options.start !== false);
}

export function deny(target: string, options: { reason?: string; start?: boolean }): Promise<number> {
  return answer(target, 'deny', options.reason, options.start !== false);
}
