/**
 * Every event Flux writes to `.work/events.jsonl`, as zod schemas.
 *
 * Each line is one event: `{v, seq, at, type, ...payload}`. `v` is the schema
 * version of that event type. A new version of an event type gets a new
 * schema here plus an upgrade in `upgrade.ts`, so logs written by older Flux
 * versions keep loading (docs/event-log.md lists them all).
 *
 * The schemas are in events/ by what they record (plan, task, stage,
 * notification, budget, session, and the envelope they share); this is the union
 * every reader validates against and the one import path for them.
 */
import { z } from 'zod';
import { budgetRaised, budgetReached } from './events/budget.js';
import { hostReachable, hostUnreachable } from './events/host.js';
import { notificationSent } from './events/notification.js';
import { planInitialized, planUpdated } from './events/plan.js';
import {
  sessionContext,
  sessionCost,
  sessionCrashed,
  sessionEnded,
  sessionHandingOff,
  sessionIdle,
  sessionPermissionAnswered,
  sessionReminded,
  sessionStarted,
  sessionWaitingPermission,
  sessionWorking,
} from './events/session.js';
import { setupFinished, setupStarted } from './events/setup.js';
import {
  acceptanceResultSchema,
  cleanupFailed,
  mergeChecking,
  mergeConflictPredicted,
  reviewRecorded,
  stageAcceptanceFailed,
  stageBlocked,
  stageCompleted,
  stageFailed,
  stageHandoffRequested,
  stageMerged,
  stageMergeFailed,
  stageReady,
  stageRejected,
  stageReset,
  stageStarted,
  stageVerified,
} from './events/stage.js';
import { taskCreated } from './events/task.js';

export * from './events/budget.js';
export * from './events/host.js';
export * from './events/notification.js';
export * from './events/plan.js';
export * from './events/session.js';
export * from './events/setup.js';
export * from './events/stage.js';
export * from './events/task.js';

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
  mergeConflictPredicted,
  stageFailed,
  stageBlocked,
  stageReset,
  cleanupFailed,
  reviewRecorded,
  setupStarted,
  setupFinished,
  notificationSent,
  budgetReached,
  budgetRaised,
  sessionStarted,
  sessionWorking,
  sessionIdle,
  sessionWaitingPermission,
  sessionPermissionAnswered,
  sessionContext,
  sessionCost,
  sessionHandingOff,
  sessionReminded,
  sessionEnded,
  sessionCrashed,
  hostUnreachable,
  hostReachable,
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
