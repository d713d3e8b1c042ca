/**
 * `flux approve <stage>` / `flux deny <stage> [--reason <text>]`: answer the
 * permission question a stage's agent is waiting on, without attaching. The
 * answer is an event; the agent's waiting PermissionRequest hook passes it to
 * Claude Code (docs/claude-code.md).
 */
import { Engine } from '../../engine/engine.js';
import { answerPermission, describeAnswer } from '../actions/permission.js';
import { print } from '../output.js';

function answer(target: string, decision: 'allow' | 'deny', reason: string | undefined): number {
  print(describeAnswer(answerPermission(Engine.open(), target, decision, reason)));
  return 0;
}

export function approve(target: string): number {
  return answer(target, 'allow', undefined);
}

export function deny(target: string, options: { reason?: string }): number {
  return answer(target, 'deny', options.reason);
}
