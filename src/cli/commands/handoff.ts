/**
 * `flux handoff [stage]`: the agent has written its handoff document; Flux
 * records it (the stage needs a fresh session) and the monitor ends this
 * session and starts the next one with the handoff as its first prompt.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { settle } from '../../engine/decide.js';
import { Engine } from '../../engine/engine.js';
import { nextHandoffPath } from '../../engine/signal.js';
import { currentSession, sessionAlive } from '../../engine/state.js';
import { RefusedError } from '../../errors.js';
import type { NewEvent } from '../../log/events.js';
import { print } from '../output.js';
import { stageForCommand } from '../stage-context.js';

/** A handoff shorter than this cannot carry a summary, what is done and what remains. */
const MIN_HANDOFF_CHARS = 40;

export function run(named: string | undefined): number {
  const engine = Engine.open();
  const state = engine.load();
  const stage = stageForCommand(state, engine.ws.root, named);
  if (stage.status !== 'running') {
    throw new RefusedError(`${stage.id} is ${stage.status}; only a running stage hands off`);
  }
  const relative = nextHandoffPath(stage);
  const file = path.join(engine.ws.workDir, relative);
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    text = readFileSync(file, 'utf8');
  } catch {
    throw new RefusedError(
      `no handoff document at .work/${relative}`,
      'write it first: summary, done, remaining (with file:line), decisions',
    );
  }
  if (text.trim().length < MIN_HANDOFF_CHARS) {
    throw new RefusedError(
      `.work/${relative} is empty or too short (${text.trim().length} characters)`,
      'write the summary, what is done, what remains (with file:line) and the decisions',
    );
  }
  engine.commit((current) => {
    const events: NewEvent[] = [];
    const session = current.stages[stage.id]!.session;
    const live = currentSession(current, current.stages[stage.id]!);
    if (live !== null && live.status !== 'handing_off' && sessionAlive(live)) {
      events.push({ type: 'session.handing_off', session: live.id, trigger: 'manual' });
    }
    events.push({
      type: 'stage.handoff_requested',
      stage: stage.id,
      ...(session === null ? {} : { session }),
      handoff: relative,
    });
    return settle(current, events);
  });
  print(`Handoff recorded: .work/${relative}. A fresh session continues from it; stop now.`);
  return 0;
}
