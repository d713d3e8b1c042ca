/**
 * Reconciling the log with the world (pure): given what was observed of tmux
 * and git, the events that record each difference and the effects that
 * finish what an interrupted process left undone. `flux run` does this first,
 * and again whenever it wakes.
 */
import type { NewEvent } from '../log/events.js';
import type { EffectRequest } from '../machines/index.js';
import { settle, type Decision } from './decide.js';
import { currentSession, liveSessions, mergeQueue, sessionAlive, type FluxState } from './state.js';

export interface Observed {
  /** Names of the tmux sessions that exist; null when tmux was not asked this time. */
  tmux: ReadonlySet<string> | null;
  /** Stages whose worktree exists. */
  worktrees: ReadonlySet<string>;
  /** Merged stages whose branch still exists (checked only for those). */
  branches?: ReadonlySet<string>;
  /** Completed stages whose merge `git merge-tree` foresees conflicting, for a resolver session (docs/merge-queue.md). */
  predicted?: Readonly<Record<string, { conflicts: string[]; head: string }>>;
  /** The hosts asked this time: those that answered, and those that could not be reached (ssh's words). */
  hosts?: { reachable: readonly string[]; unreachable: Readonly<Record<string, string>> };
}

export function decideReconcile(state: FluxState, observed: Observed): Decision {
  const events: NewEvent[] = [];
  const effects: EffectRequest[] = [];

  // Every live session, ad hoc tasks' too (a task's target may be a pane, `%7`).
  for (const session of liveSessions(state, { tasks: true })) {
    // A session started by hand (`flux run --manual`) has no tmux session to check.
    if (observed.tmux !== null && session.tmux !== '' && !observed.tmux.has(session.tmux)) {
      events.push({
        type: 'session.crashed',
        session: session.id,
        reason: `its tmux session ${session.tmux} is gone`,
      });
    }
  }

  for (const id of state.order) {
    const stage = state.stages[id]!;
    const current = currentSession(state, stage);
    const currentAlive = sessionAlive(current);
    // A tmux session left over from a session the log says is over.
    if (
      current !== null &&
      !currentAlive &&
      current.tmux !== '' &&
      observed.tmux?.has(current.tmux) === true
    ) {
      effects.push({ type: 'endSession', params: { stage: id, session: current.id } });
    }
    // Left over from a merge that was interrupted before its cleanup; a cleanup that failed
    // waits for a person (`flux worktree clean`) rather than being tried every round.
    const leftover = observed.worktrees.has(id) || observed.branches?.has(id) === true;
    if (stage.status === 'merged' && leftover && stage.cleanupFailed === null) {
      effects.push({ type: 'cleanupStage', params: { stage: id } });
    }
  }

  // The merge queue, in its order: verified and not merged yet (a merge that already
  // happened is found by the merge itself; one that failed waits for its agent or a person).
  for (const id of mergeQueue(state)) effects.push({ type: 'mergeStage', params: { stage: id } });

  for (const [id, forecast] of Object.entries(observed.predicted ?? {})) {
    const stage = state.stages[id];
    if (stage?.status === 'completed' && stage.resolution?.due !== true)
      events.push({ type: 'merge.conflict_predicted', stage: id, ...forecast });
  }

  events.push(...reachabilityEvents(state, observed));
  const decision = settle(state, events);
  return { events: decision.events, effects: [...effects, ...decision.effects] };
}

/** A host's reachability, recorded when it changes (docs/hosts.md). */
function reachabilityEvents(state: FluxState, observed: Observed): NewEvent[] {
  const events: NewEvent[] = [];
  for (const [host, reason] of Object.entries(observed.hosts?.unreachable ?? {}))
    if (state.unreachable?.[host] === undefined) events.push({ type: 'host.unreachable', host, reason });
  for (const host of observed.hosts?.reachable ?? [])
    if (state.unreachable?.[host] !== undefined) events.push({ type: 'host.reachable', host });
  return events;
}
