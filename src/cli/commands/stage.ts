/** `flux stage <id> complete|block|reset [--reason]`: a forced transition, as an event, through the stage machine. */
import { decideForced, type ForcedTransition } from '../../engine/decide.js';
import { Engine } from '../../engine/engine.js';
import { requireStage } from '../../engine/lookup.js';
import { paintStatus, print } from '../output.js';

export function run(id: string, action: ForcedTransition, options: { reason?: string }): number {
  const engine = Engine.open();
  const { events, state } = engine.commit((current) => {
    requireStage(current, id);
    return decideForced(current, id, action, options.reason);
  });
  print(`${id}: ${paintStatus(state.stages[id]!.status)}`);
  for (const event of events.filter((e) => e.type === 'stage.ready' && e.stage !== id)) {
    if (event.type === 'stage.ready') print(`${event.stage}: ${paintStatus('ready')}`);
  }
  return 0;
}
