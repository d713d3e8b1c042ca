/**
 * A stage's lifecycle events, from ready to merged (or failed, blocked,
 * reset), with the acceptance results they carry, the review a person ran
 * and a cleanup that could not finish.
 */
import { z } from 'zod';
import { byHuman, event, sessionId, stageId } from './envelope.js';

/** Every dependency is merged (or there are none). */
export const stageReady = event('stage.ready', { stage: stageId });

/** A session was assigned to the stage. */
export const stageStarted = event('stage.started', {
  stage: stageId,
  session: sessionId,
});

/** The agent wrote a handoff and asked to continue in a fresh session. */
export const stageHandoffRequested = event('stage.handoff_requested', {
  stage: stageId,
  session: sessionId.optional(),
  /** Path of the handoff document, relative to `.work/`. */
  handoff: z.string(),
});

export const acceptanceResultSchema = z.object({
  command: z.string(),
  exit_code: z.number().int().nullable(),
  timed_out: z.boolean(),
  duration_ms: z.number().nonnegative(),
  /** The last lines of combined output, for the agent to read. */
  output_tail: z.string(),
});

/** `flux done` ran the acceptance commands and some failed; the stage keeps running. */
export const stageAcceptanceFailed = event('stage.acceptance_failed', {
  stage: stageId,
  results: z.array(acceptanceResultSchema),
});

/** Acceptance passed (or, `forced`, a person said so with `flux stage <id> complete`). */
export const stageCompleted = event('stage.completed', {
  stage: stageId,
  forced: z.boolean(),
  /** Set when forced by a person. */
  by: byHuman,
  results: z.array(acceptanceResultSchema).optional(),
});

export const stageVerified = event('stage.verified', {
  stage: stageId,
  by: z.enum(['human', 'auto']),
});

export const stageRejected = event('stage.rejected', {
  stage: stageId,
  reason: z.string(),
  by: byHuman,
});

export const stageMerged = event('stage.merged', {
  stage: stageId,
  /** The merge commit on the base branch; null when recorded by a forced transition. */
  commit: z.string().nullable(),
});

/**
 * A merge was attempted and did not happen (a conflict, checks that failed on
 * the merged tree, a dirty tree); the stage stays verified and the base did
 * not move. The optional fields are absent in logs from before the merge queue.
 */
export const stageMergeFailed = event('stage.merge_failed', {
  stage: stageId,
  reason: z.string(),
  conflicts: z.array(z.string()),
  /** What a person does about it, when Flux knows. */
  hint: z.string().optional(),
  /** `conflict`, `checks` (the merged tree failed the checks) or `refused` (anything else). */
  cause: z.enum(['conflict', 'checks', 'refused']).optional(),
  /** The stage branch's head that was tried: a resolution's changes are what follows it. */
  head: z.string().optional(),
  /** The merge commit the checks ran on (cause `checks`), and the base commit it was built on. */
  commit: z.string().optional(),
  base_commit: z.string().optional(),
  /** The checks' results (cause `checks`). */
  results: z.array(acceptanceResultSchema).optional(),
  /** `agent`: a session of the stage fixes it (docs/merge-queue.md); `person`: it waits for one. */
  next: z.enum(['agent', 'person']).optional(),
});

/**
 * The forecast (`git merge-tree`) says a completed stage waiting for its
 * review would conflict with the base: with `[merge] resolve = "agent"` a
 * resolver session of the stage starts before a person is asked.
 */
export const mergeConflictPredicted = event('merge.conflict_predicted', {
  stage: stageId,
  conflicts: z.array(z.string()),
  /** The branch head the forecast was made for. */
  head: z.string(),
});

/**
 * The merge queue checks a stage's merge commit in the integration worktree;
 * `stage.merged` or `stage.merge_failed` ends it (a check killed with Flux is
 * checked again by the next merge).
 */
export const mergeChecking = event('merge.checking', {
  stage: stageId,
  /** The merge commit being checked, and the base commit it was built on. */
  commit: z.string(),
  base_commit: z.string(),
  commands: z.array(z.string()),
});

export const stageFailed = event('stage.failed', {
  stage: stageId,
  reason: z.string(),
});

export const stageBlocked = event('stage.blocked', {
  stage: stageId,
  reason: z.string(),
  by: byHuman,
});

/** Back to pending (a `stage.ready` follows when its dependencies are merged). */
export const stageReset = event('stage.reset', {
  stage: stageId,
  reason: z.string().optional(),
  /** Set by `flux stage <id> reset`; absent when Flux reset it (a changed plan). */
  by: byHuman,
});

/** `flux verify` ran the acceptance commands for the person reviewing the stage. */
export const reviewRecorded = event('review.recorded', {
  stage: stageId,
  results: z.array(acceptanceResultSchema),
});

/**
 * A merged stage's worktree or branch could not be removed (uncommitted
 * changes, say). Recorded so the monitor does not try again every round;
 * `flux worktree clean` tries when a person asks.
 */
export const cleanupFailed = event('cleanup.failed', {
  stage: stageId,
  reason: z.string(),
});
