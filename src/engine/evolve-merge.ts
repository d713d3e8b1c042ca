/**
 * Folding what the merge queue records into a stage (docs/merge-queue.md):
 * the check under way, why it did not land and what happens next, a conflict
 * foreseen before its review. `evolve` calls these; they mutate the stage.
 */
import type { EventOf, StageEvent } from '../log/events.js';
import type { StageState } from './state.js';

/** A stage's merge-queue fields before anything happened. */
export function noMergeQueue(): Pick<StageState, 'queuedSeq' | 'checking' | 'resolution'> {
  return { queuedSeq: null, checking: null, resolution: null };
}

/** The queue's own events about a stage: a check under way, a conflict foreseen. */
export function foldMergeEvent(
  stage: StageState,
  event: EventOf<'merge.checking'> | EventOf<'merge.conflict_predicted'>,
): void {
  if (event.type === 'merge.checking') foldChecking(stage, event);
  else foldConflictPredicted(stage, event);
}

/** What a stage event changes of the queue's view of a stage (after its status moved). */
export function foldMergeQueue(stage: StageState, event: StageEvent): void {
  switch (event.type) {
    case 'stage.started':
      // The resolver session that was due has started.
      if (stage.resolution?.due === true) stage.resolution.due = false;
      break;
    case 'stage.verified':
      stage.queuedSeq = event.seq;
      break;
    case 'stage.merge_failed':
      foldMergeFailed(stage, event);
      break;
    case 'stage.merged':
    case 'stage.reset':
      clearMergeQueue(stage);
      break;
    default:
      break;
  }
}

function foldChecking(stage: StageState, event: EventOf<'merge.checking'>): void {
  stage.checking = { commit: event.commit, base: event.base_commit, since: event.at };
}

function foldConflictPredicted(stage: StageState, event: EventOf<'merge.conflict_predicted'>): void {
  stage.resolution = {
    cause: 'conflict',
    reason: `merging it would conflict in ${event.conflicts.join(', ')} (predicted)`,
    conflicts: event.conflicts,
    results: [],
    head: event.head,
    attempts: (stage.resolution?.attempts ?? 0) + 1,
    due: true,
    next: 'agent',
    predicted: true,
  };
}

function foldMergeFailed(stage: StageState, event: EventOf<'stage.merge_failed'>): void {
  stage.reason = event.reason;
  stage.hint = event.hint ?? null;
  stage.checking = null;
  if (event.cause !== 'conflict' && event.cause !== 'checks') return;
  const next = event.next ?? 'person';
  stage.resolution = {
    cause: event.cause,
    reason: event.reason,
    conflicts: event.conflicts,
    results: event.results ?? [],
    head: event.head ?? null,
    attempts: (stage.resolution?.attempts ?? 0) + (next === 'agent' ? 1 : 0),
    due: next === 'agent',
    next,
  };
}

/** Merged or reset: nothing of the queue is left for it. */
function clearMergeQueue(stage: StageState): void {
  Object.assign(stage, noMergeQueue());
}
