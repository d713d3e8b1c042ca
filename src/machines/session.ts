/**
 * The lifecycle of one agent session (one `claude` process in one tmux session):
 *
 *   starting → working ↔ idle / waiting_permission → (handing_off) → ended | crashed
 *
 * Its events are the session events of the log. The context percentage is
 * data, not state: `session.context` (and the spend, `session.cost`) is accepted
 * wherever the session is alive.
 */
import { setup } from 'xstate';
import type { SessionEvent } from '../log/events.js';

export { SESSION_STATES, type SessionStatus } from './session-states.js';

export interface SessionContext {
  id: string;
  stage: string;
}

/** Events an agent can send while it is alive, and where each leads. */
const alive = {
  'session.working': { target: 'working' },
  'session.idle': { target: 'idle' },
  'session.waiting_permission': { target: 'waiting_permission' },
  'session.context': {},
  'session.cost': {},
  'session.reminded': {},
  'session.handing_off': { target: 'handing_off' },
  'session.ended': { target: 'ended' },
  'session.crashed': { target: 'crashed' },
} as const;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionContext,
  },
}).createMachine({
  id: 'session',
  initial: 'starting',
  context: ({ input }) => ({ id: input.id, stage: input.stage }),
  states: {
    starting: { description: 'Launched; the agent has not reported yet.', on: alive },
    working: { description: 'The agent is taking a turn.', on: alive },
    idle: { description: 'The agent finished its turn and waits for input.', on: alive },
    waiting_permission: {
      description:
        'The agent waits for a person to answer a permission prompt (in its pane, or with `flux approve` / `flux deny`).',
      on: { ...alive, 'session.permission_answered': { target: 'working' } },
    },
    handing_off: {
      description: 'Told to write a handoff; it stays here while it writes it, until it ends.',
      on: {
        'session.working': {},
        'session.idle': {},
        'session.waiting_permission': {},
        'session.permission_answered': {},
        'session.context': {},
        'session.cost': {},
        'session.reminded': {},
        'session.handing_off': {},
        'session.ended': { target: 'ended' },
        'session.crashed': { target: 'crashed' },
      },
    },
    ended: { description: 'The session ended normally.', type: 'final' },
    crashed: { description: 'The agent process or its tmux session died unexpectedly.', type: 'final' },
  },
});
