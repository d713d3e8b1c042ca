/** `flux stage <id> complete|block|reset [--reason]`: a forced transition, as an event, through the stage machine. */
import { decideForced, type ForcedTransition } from '../../engine/decide.js';
import { Runtime } from '../../engine/runtime.js';
import { requireStage } from '../../engine/lookup.js';
import { carryOnAndSay } from '../carry-on.js';
import { paintStatus, print } from '../output.js';
import { humanActor } from '../human-only.js';
import { RefusedError, TransitionError } from '../../errors.js';

const ACTION_EVENT: Record<ForcedTransition, string> = {
  complete: 'stage.completed',
  block: 'stage.blocked',
  reset: 'stage.reset',
};

export async function run(
  id: string,
  action: ForcedTransition,
  options: { reason?: string; start?: boolean },
): Promise<number> {
  // Through the runtime: a reset ends the stage's live session, a completed `gate: auto` stage merges.
  const runtime = Runtime.open();
  const { events, state: after } = await runtime.commitAndRun((current) => {
    const stage = requireStage(current, id);
    try {
      return decideForced(current, id, action, humanActor(), options.reason);
    } catch (error) {
      if (!(error instanceof TransitionError) || error.id !== id) throw error;
      // Say it in the command's words, not the log's.
      const possible = (Object.keys(ACTION_EVENT) as ForcedTransition[]).filter((a) =>
        error.accepts.includes(ACTION_EVENT[a]),
      );
      throw new RefusedError(
        `${id} is ${stage.status}: it cannot be forced to ${action}`,
        possible.length === 0
          ? `a ${stage.status} stage is final`
          : `possible here: ${possible.map((a) => `flux stage ${id} ${a}`).join(', ')}`,
      );
    }
  });
  const state = runtime.engine.load();
  print(`${id}: ${paintStatus(state.stages[id]?.status ?? after.stages[id]!.status)}`);
  for (const event of events.filter((e) => e.type === 'stage.ready' && e.stage !== id)) {
    if (event.type === 'stage.ready') print(`${event.stage}: ${paintStatus('ready')}`);
  }
  await carryOnAndSay(runtime, options);
  return 0;
}
