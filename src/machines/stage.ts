/**
 * The stage lifecycle as a pure XState machine.
 *
 *   pending → ready → running → (needs_handoff → running)* → completed → verified → merged
 *   plus failed, blocked and rejected.
 *
 * Its events are the stage events of the log (`src/log/events.ts`), so a log
 * line is folded by the very transition it caused. Actions are effect
 * requests (`effect-requests.ts`): declared here, never executed here.
 * No guards: what may happen next depends on the state alone, which is what
 * lets `table.ts` compile this machine into a lookup table for fast replay.
 */
import { assign, setup } from 'xstate';
import type { StageEvent } from '../log/events.js';
import type { Gate } from '../plan/types.js';

export interface StageContext {
  id: string;
  gate: Gate;
  /** The session currently assigned to the stage. */
  session: string | null;
}

export interface StageInput {
  id: string;
  gate: Gate;
}

export { STAGE_STATES, type StageStatus } from './stage-states.js';

// Declared effect requests. The bodies are empty on purpose: the engine reads
// these from `transition()`'s result and runs them after appending the events.
const request = () => {};

const launch = {
  type: 'launchSession',
  params: ({ context }: { context: StageContext }) => ({ stage: context.id, session: context.session }),
} as const;
const endSession = {
  type: 'endSession',
  params: ({ context }: { context: StageContext }) => ({ stage: context.id, session: context.session }),
} as const;
const assignSession = assign<StageContext, StageEvent, undefined, StageEvent, never>({
  session: ({ event }) => (event.type === 'stage.started' ? event.session : null),
});

/**
 * A person sends the work back. The reason is on the event: the scheduler
 * gives it to the stage's next session (`session.started` feedback).
 */
const reject = { target: 'rejected' } as const;

/** Events every unfinished stage accepts: a person forcing it aside or back to the start. */
const forced = {
  'stage.blocked': { target: 'blocked' },
  'stage.reset': { target: 'pending', actions: [endSession] },
} as const;

export const stageMachine = setup({
  types: {
    context: {} as StageContext,
    events: {} as StageEvent,
    input: {} as StageInput,
  },
  // The effect requests, with their parameters (`EffectRequest` is derived from these).
  actions: {
    /** Create (or re-attach) the stage's worktree and branch, write its signal, start its agent. */
    launchSession: (_: unknown, _params: { stage: string; session: string | null }) => request(),
    /** End the agent session that was working on the stage (its tmux session). */
    endSession: (_: unknown, _params: { stage: string; session: string | null }) => request(),
    /** A completed stage waits for its gate: the engine verifies `gate: auto` stages at once. */
    requestVerification: (_: unknown, _params: { stage: string }) => request(),
    /** Merge the stage's branch into the base branch. */
    mergeStage: (_: unknown, _params: { stage: string }) => request(),
    /** After a merge: remove the worktree and branch. (Dependents become ready by the readiness rule of `settle`.) */
    cleanupStage: (_: unknown, _params: { stage: string }) => request(),
  },
}).createMachine({
  id: 'stage',
  initial: 'pending',
  context: ({ input }) => ({ id: input.id, gate: input.gate, session: null }),
  states: {
    pending: {
      description: 'Waiting for its dependencies to be merged.',
      on: {
        'stage.ready': { target: 'ready' },
        // Not completed: its dependencies are not merged, so its work could not be on top of theirs.
        'stage.blocked': { target: 'blocked' },
      },
    },
    ready: {
      description: 'Every dependency is merged; waiting for a free slot.',
      on: {
        'stage.started': { target: 'running', actions: [assignSession, launch] },
        'stage.completed': { target: 'completed' },
        ...forced,
      },
    },
    running: {
      description: 'An agent session is working on it in its worktree.',
      on: {
        // A fresh session after a crash or a `flux resume`.
        'stage.started': { actions: [endSession, assignSession, launch] },
        'stage.handoff_requested': { target: 'needs_handoff' },
        // Acceptance failed: the agent keeps working, the stage stays running.
        'stage.acceptance_failed': {},
        'stage.completed': { target: 'completed' },
        'stage.failed': { target: 'failed', actions: [endSession] },
        ...forced,
      },
    },
    needs_handoff: {
      description: 'The session wrote a handoff; a fresh session continues from it.',
      entry: [endSession],
      on: {
        'stage.started': { target: 'running', actions: [endSession, assignSession, launch] },
        'stage.completed': { target: 'completed' },
        'stage.failed': { target: 'failed' },
        ...forced,
      },
    },
    completed: {
      description: 'The agent declared done and the acceptance commands pass.',
      entry: [{ type: 'requestVerification', params: ({ context }) => ({ stage: context.id }) }],
      on: {
        'stage.verified': { target: 'verified' },
        'stage.rejected': reject,
        // A conflict with the base is foreseen before its review: a resolver session of the stage.
        'stage.started': { target: 'running', actions: [endSession, assignSession, launch] },
        ...forced,
      },
    },
    verified: {
      description:
        'Approved (by a person, or automatically for `gate: auto`); in the merge queue, or back with its agent after a conflict or failed checks.',
      entry: [{ type: 'mergeStage', params: ({ context }) => ({ stage: context.id }) }],
      on: {
        'stage.merged': { target: 'merged' },
        // The merge did not happen (conflict, failed checks, dirty tree): still verified, worktree kept.
        'stage.merge_failed': {},
        // The merge queue sends it back to its agent: a session resolves the conflict or fixes the checks.
        'stage.started': { target: 'running', actions: [endSession, assignSession, launch] },
        'stage.rejected': reject,
        ...forced,
      },
    },
    merged: {
      description: 'Merged into the base branch. Final.',
      type: 'final',
      entry: [endSession, { type: 'cleanupStage', params: ({ context }) => ({ stage: context.id }) }],
    },
    failed: {
      description: 'The agent could not finish; `flux resume` starts a fresh session.',
      on: {
        'stage.started': { target: 'running', actions: [endSession, assignSession, launch] },
        'stage.completed': { target: 'completed' },
        ...forced,
      },
    },
    blocked: {
      description: 'Put aside by a person; `flux resume` or `flux stage <id> reset` brings it back.',
      on: {
        'stage.started': { target: 'running', actions: [endSession, assignSession, launch] },
        'stage.completed': { target: 'completed' },
        'stage.reset': { target: 'pending', actions: [endSession] },
      },
    },
    rejected: {
      description: 'A person rejected the work; a fresh session gets the reason.',
      entry: [endSession],
      on: {
        'stage.started': { target: 'running', actions: [endSession, assignSession, launch] },
        'stage.completed': { target: 'completed' },
        ...forced,
      },
    },
  },
});
