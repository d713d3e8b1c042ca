/**
 * Every event Flux writes to `.work/events.jsonl`, as zod schemas.
 *
 * Each line is one event: `{v, seq, at, type, ...payload}`. `v` is the schema
 * version of that event type. A new version of an event type gets a new
 * schema here plus an upgrade in `upgrade.ts`, so logs written by older Flux
 * versions keep loading (docs/event-log.md lists them all).
 */
import { z } from 'zod';

const stageId = z.string().min(1);
const sessionId = z.string().min(1);

export const stageDefSchema = z.object({
  id: stageId,
  name: z.string(),
  description: z.string(),
  dependencies: z.array(stageId),
  parallel_group: z.string().optional(),
  acceptance: z.array(z.string()),
  files: z.array(z.string()),
  gate: z.enum(['human', 'auto']),
});

export const planSnapshotSchema = z.object({
  path: z.string(),
  title: z.string(),
  version: z.literal(1),
  stages: z.array(stageDefSchema),
  /** Plan-level checks (`flux: acceptance:`); absent when the plan has none. */
  acceptance: z.array(z.string()).optional(),
  hash: z.string(),
});

const envelope = {
  v: z.literal(1),
  seq: z.number().int().positive(),
  /** ISO-8601 UTC time of the append. */
  at: z.string(),
};

/**
 * On the events a person's decision records (`flux verify`, `flux stage`,
 * `flux approve`, …): written only after the human-only check passed
 * (src/cli/human-only.ts). Absent in logs written before it was recorded.
 */
const byHuman = z.literal('human').optional();

function event<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ ...envelope, type: z.literal(type), ...shape });
}

// ---- plan ---------------------------------------------------------------

export const planInitialized = event('plan.initialized', {
  plan: planSnapshotSchema,
  /** The branch stages fork from and merge into; null when HEAD was detached or not in git. */
  base_branch: z.string().nullable(),
});

/** `flux init --force` with a changed plan. Stage ids are listed for the record. */
export const planUpdated = event('plan.updated', {
  plan: planSnapshotSchema,
  added: z.array(stageId),
  removed: z.array(stageId),
  changed: z.array(stageId),
});

// ---- ad hoc tasks -------------------------------------------------------

/**
 * `flux task run`: an ad hoc task, a stage outside the plan with a worktree,
 * branch and tmux placement of its own. It goes through the same stage and
 * session lifecycles as a plan's stages (`stage.ready`, `stage.started`, …).
 */
export const taskCreated = event('task.created', {
  /** The task as a stage: no dependencies, the `[task]` acceptance commands, gate human. */
  task: stageDefSchema,
  /** Absolute path of its worktree. */
  worktree: z.string().min(1),
  branch: z.string().min(1),
  /** The branch (or commit, on a detached HEAD) it forked from. */
  base: z.string().min(1),
  /** Where its agent runs: a pane next to the person's (inside tmux) or a detached session. */
  placement: z.enum(['pane', 'session']),
  /** The detached tmux session's name (also where a resumed task runs when its pane is gone). */
  tmux_session: z.string().min(1),
});

// ---- stage lifecycle ----------------------------------------------------

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

/** A person was told they are needed (or that the plan is done), once per `key` (docs/notify.md). */
export const notificationSent = event('notification.sent', {
  key: z.string().min(1),
  kind: z.enum(['review', 'permission', 'crash', 'conflict', 'budget', 'done']),
  stage: stageId.optional(),
  title: z.string(),
  message: z.string(),
});

// ---- session lifecycle --------------------------------------------------

export const sessionStarted = event('session.started', {
  session: sessionId,
  stage: stageId,
  /** `claude`, `sim` or the name of a command agent. */
  agent: z.string(),
  /** The tmux session the agent runs in. */
  tmux: z.string(),
  /** The agent's own session id when Flux chose it (claude `--session-id`). */
  agent_session_id: z.string().optional(),
  /** The handoff this session continues from, relative to `.work/`. */
  handoff: z.string().optional(),
  /** Why the stage's last attempt was rejected, for this session's first prompt. */
  feedback: z.string().optional(),
  /** A session the merge queue started: to resolve a conflict with the base, or to make the checks pass. */
  resolving: z.enum(['conflict', 'checks']).optional(),
});

export const sessionWorking = event('session.working', { session: sessionId });

export const sessionIdle = event('session.idle', { session: sessionId });

export const sessionWaitingPermission = event('session.waiting_permission', {
  session: sessionId,
  tool: z.string(),
  /** A one-line summary of what the tool wants to do. */
  detail: z.string(),
});

/** A person answered the permission question (`flux approve` / `flux deny`); the waiting hook passes it on. */
export const sessionPermissionAnswered = event('session.permission_answered', {
  session: sessionId,
  decision: z.enum(['allow', 'deny']),
  /** Told to the agent with a denial. */
  reason: z.string().optional(),
  by: byHuman,
});

/** The status line reported a new context figure. */
export const sessionContext = event('session.context', {
  session: sessionId,
  percent: z.number().min(0).max(100),
  /** The context window in tokens, as the status line reports it. */
  window: z.number().int().positive().optional(),
});

/** Flux told the agent to write a handoff (threshold reached, or auto-compaction blocked). */
export const sessionHandingOff = event('session.handing_off', {
  session: sessionId,
  trigger: z.enum(['threshold', 'precompact', 'manual']),
});

/** A stop was answered with a reminder to finish (or to hand off); counted to keep reminders bounded. */
export const sessionReminded = event('session.reminded', { session: sessionId });

export const sessionEnded = event('session.ended', {
  session: sessionId,
  reason: z.string(),
});

export const sessionCrashed = event('session.crashed', {
  session: sessionId,
  reason: z.string(),
});

export const fluxEventSchema = z.discriminatedUnion('type', [
  planInitialized,
  planUpdated,
  taskCreated,
  stageReady,
  stageStarted,
  stageHandoffRequested,
  stageAcceptanceFailed,
  stageCompleted,
  stageVerified,
  stageRejected,
  stageMerged,
  stageMergeFailed,
  mergeChecking,
  stageFailed,
  stageBlocked,
  stageReset,
  cleanupFailed,
  reviewRecorded,
  notificationSent,
  sessionStarted,
  sessionWorking,
  sessionIdle,
  sessionWaitingPermission,
  sessionPermissionAnswered,
  sessionContext,
  sessionHandingOff,
  sessionReminded,
  sessionEnded,
  sessionCrashed,
]);

export type FluxEvent = z.infer<typeof fluxEventSchema>;
export type FluxEventType = FluxEvent['type'];
export type EventOf<T extends FluxEventType> = Extract<FluxEvent, { type: T }>;

/** An event before the log gives it `v`, `seq` and `at`. */
export type NewEvent = FluxEvent extends infer E
  ? E extends FluxEvent
    ? Omit<E, 'v' | 'seq' | 'at'>
    : never
  : never;

export const EVENT_TYPES: readonly FluxEventType[] = fluxEventSchema.options.map(
  (option) => option.shape.type.value,
);

export type StageEvent = Extract<FluxEvent, { type: `stage.${string}` }>;
export type SessionEvent = Extract<FluxEvent, { type: `session.${string}` }>;
export type AcceptanceResult = z.infer<typeof acceptanceResultSchema>;
