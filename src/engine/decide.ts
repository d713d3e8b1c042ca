/**
 * Deciding: from the current state and what was asked, the events to append
 * and the effects to run after them.
 *
 * `settle` is the heart of it. It passes each proposed event through its
 * machine (XState `transition()`), refusing what the machine refuses, and
 * turns the machine's internal requests into follow-up events in the same
 * batch: a merge makes dependents ready, a completed `gate: auto` stage is
 * verified. What is left are requests for the outside world (effects).
 */
import type { FluxEvent, NewEvent, SessionEvent, StageEvent } from '../log/events.js';
import { stepSession, stepStage, type EffectRequest } from '../machines/index.js';
import { evolve } from './evolve.js';
import { unmergedDependencies, type FluxState } from './state.js';

export interface Decision {
  events: NewEvent[];
  effects: EffectRequest[];
}

/** Effects the engine answers itself with more events instead of touching the world. */
const INTERNAL_EFFECTS: ReadonlySet<string> = new Set(['requestVerification']);

/** Gives a proposed event the envelope fields the machines and evolve expect. */
function provisional(event: NewEvent, seq: number): FluxEvent {
  return { ...event, v: 1, seq, at: new Date().toISOString() } as FluxEvent;
}

/** A copy of `state` with `events` folded in, for decisions that build on events not yet appended. */
export function withEvents(state: FluxState, events: readonly NewEvent[]): FluxState {
  const scratch = structuredClone(state);
  for (const event of events) evolve(scratch, provisional(event, scratch.seq + 1));
  return scratch;
}

export function settle(state: FluxState, proposed: NewEvent[]): Decision {
  const scratch = structuredClone(state);
  const events: NewEvent[] = [];
  const effects: EffectRequest[] = [];
  const queue = [...proposed];

  for (;;) {
    // The readiness rule holds after every batch: a pending stage whose
    // dependencies are all merged is ready (a merge makes its dependents ready this way).
    if (queue.length === 0) queue.push(...readyEvents(scratch));
    const event = queue.shift();
    if (event === undefined) break;
    const requests = machineRequests(scratch, event);
    evolve(scratch, provisional(event, scratch.seq + 1));
    events.push(event);
    for (const request of requests) {
      if (INTERNAL_EFFECTS.has(request.type)) queue.push(...internalFollowUps(scratch, request));
      else effects.push(request);
    }
  }
  return { events, effects };
}

/** Runs the event through its machine; throws TransitionError when refused. */
function machineRequests(state: FluxState, event: NewEvent): EffectRequest[] {
  if (event.type.startsWith('stage.')) {
    const stageEvent = event as unknown as StageEvent;
    const stage = state.stages[stageEvent.stage];
    if (stage === undefined) return []; // evolve reports the unknown stage
    const context = { id: stage.id, gate: stage.def.gate, session: stage.session };
    return stepStage(stage.status, context, stageEvent).effects;
  }
  if (event.type.startsWith('session.') && event.type !== 'session.started') {
    const sessionEvent = event as unknown as SessionEvent & { session: string };
    const session = state.sessions[sessionEvent.session];
    if (session !== undefined)
      stepSession(session.status, { id: session.id, stage: session.stage }, sessionEvent);
  }
  return [];
}

function internalFollowUps(state: FluxState, request: EffectRequest): NewEvent[] {
  switch (request.type) {
    case 'requestVerification': {
      const stage = state.stages[request.params.stage];
      return stage?.def.gate === 'auto' ? [{ type: 'stage.verified', stage: stage.id, by: 'auto' }] : [];
    }
    default:
      return [];
  }
}

/** `stage.ready` for every pending stage whose dependencies are all merged. */
export function readyEvents(state: FluxState): NewEvent[] {
  return state.order
    .filter((id) => state.stages[id]?.status === 'pending' && unmergedDependencies(state, id).length === 0)
    .map((id) => ({ type: 'stage.ready', stage: id }));
}

// ---- forced transitions: `flux stage <id> complete|block|reset` -------------

export type ForcedTransition = 'complete' | 'block' | 'reset';

/** `by` comes from the human-only check (src/cli/human-only.ts). */
export function decideForced(
  state: FluxState,
  stage: string,
  action: ForcedTransition,
  by: 'human',
  reason?: string,
): Decision {
  switch (action) {
    case 'complete':
      return settle(state, [{ type: 'stage.completed', stage, forced: true, by }]);
    case 'block':
      return settle(state, [{ type: 'stage.blocked', stage, reason: reason ?? 'blocked by hand', by }]);
    case 'reset':
      return settle(state, [
        reason === undefined
          ? { type: 'stage.reset', stage, by }
          : { type: 'stage.reset', stage, reason, by },
      ]);
  }
}
