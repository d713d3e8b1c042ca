/**
 * Answering the permission question a stage's agent waits on: what
 * `flux approve` / `flux deny` and the dashboard's `a` / `d` keys both do.
 * The answer is an event (`by: human`: the caller passed the human-only
 * check); the agent's waiting PermissionRequest hook passes it on to Claude
 * Code (docs/hooks.md). The agent then goes on, so the caller carries on
 * next (`carryOnAfter`): something must be there to merge its stage.
 */
import { settle } from '../../engine/decide.js';
import type { Engine } from '../../engine/engine.js';
import { resolveTarget } from '../../engine/lookup.js';
import { RefusedError } from '../../errors.js';
import { humanActor } from '../human-only.js';

export interface PermissionAnswer {
  stage: string;
  session: string;
  /** What was asked: `Bash: curl …`. */
  asked: string;
  decision: 'allow' | 'deny';
  reason: string | undefined;
}

/** Records the answer; RefusedError (exit 3) when the target's session is not waiting for one. */
export function answerPermission(
  engine: Engine,
  target: string,
  decision: 'allow' | 'deny',
  reason: string | undefined,
): PermissionAnswer {
  let answer: PermissionAnswer | undefined;
  engine.commit((state) => {
    const { stage, session } = resolveTarget(state, target);
    if (session === null || session.waiting === null) {
      throw new RefusedError(
        `${stage.id} is not waiting for a permission answer${session === null ? '' : ` (its session ${session.id} is ${session.status})`}`,
        '`flux status` lists what waits on you',
      );
    }
    answer = {
      stage: stage.id,
      session: session.id,
      asked: `${session.waiting.tool}: ${session.waiting.detail}`,
      decision,
      reason,
    };
    return settle(state, [
      {
        type: 'session.permission_answered',
        session: session.id,
        decision,
        ...(reason === undefined ? {} : { reason }),
        by: humanActor(),
      },
    ]);
  });
  return answer!;
}

/** `Allowed Bash: curl ….` / `Denied Bash: rm … (why).` */
export function describeAnswer(answer: PermissionAnswer): string {
  return `${answer.decision === 'allow' ? 'Allowed' : 'Denied'} ${answer.asked}${answer.reason === undefined ? '' : ` (${answer.reason})`}.`;
}
