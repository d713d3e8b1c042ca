/**
 * `flux approve <stage>` / `flux deny <stage> [--reason <text>]`: answer the
 * permission question a stage's agent is waiting on, without attaching. The
 * answer is an event; the agent's waiting PermissionRequest hook passes it to
 * Claude Code (docs/claude-code.md).
 */
import { settle } from '../../engine/decide.js';
import { Runtime } from '../../engine/runtime.js';
import { resolveTarget } from '../../engine/lookup.js';
import { RefusedError } from '../../errors.js';
import { carryOnAndSay } from '../carry-on.js';
import { humanActor } from '../human-only.js';
import { print } from '../output.js';

async function answer(
  target: string,
  decision: 'allow' | 'deny',
  reason: string | undefined,
  start: boolean,
): Promise<number> {
  const runtime = Runtime.open();
  const engine = runtime.engine;
  let asked = '';
  engine.commit((state) => {
    const { stage, session } = resolveTarget(state, target);
    if (session === null || session.waiting === null) {
      throw new RefusedError(
        `${stage.id} is not waiting for a permission answer${session === null ? '' : ` (its session ${session.id} is ${session.status})`}`,
        '`flux status` lists what waits on you',
      );
    }
    asked = session.waiting === null ? 'its request' : `${session.waiting.tool}: ${session.waiting.detail}`;
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
  print(
    `${decision === 'allow' ? 'Allowed' : 'Denied'} ${asked}${reason === undefined ? '' : ` (${reason})`}.`,
  );
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
