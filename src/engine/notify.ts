/**
 * When a person is needed (pure): the notices due for the state, each with a
 * key naming the occurrence (the stage or session and the moment it came to
 * need them), so a question asked again later is told again, and one told
 * once is never told twice (`notification.sent` records the key).
 */
import type { NewEvent } from '../log/events.js';
import {
  budgetUses,
  describeUse,
  planLimits,
  planSpend,
  raiseCommand,
  stageLimits,
  stageSpend,
  WARN_SHARE,
  type BudgetCheck,
  type BudgetUse,
} from './budget.js';
import type { Decision } from './decide.js';
import { currentSession, isTask, sessionAlive, type FluxState } from './state.js';
import { stalledSession } from './views.js';

export type NoticeKind = 'review' | 'permission' | 'crash' | 'conflict' | 'budget' | 'host' | 'done';

export interface Notice {
  key: string;
  kind: NoticeKind;
  stage?: string;
  title: string;
  message: string;
}

/**
 * Budget notices for one stage (or the plan, `stage` null): at 80% of a
 * limit, and when it is reached. The key holds the limit, so a raised
 * budget is told again when the new one is near.
 */
function budgetNotices(stage: string | null, uses: readonly BudgetUse[]): Notice[] {
  const who = stage ?? 'the plan';
  const notices: Notice[] = [];
  for (const use of uses) {
    const key = `budget:${stage ?? '-plan'}:${use.kind}:${use.limit}`;
    const raise = raiseCommand(stage, use.kind);
    const at = stage === null ? {} : { stage };
    if (use.spent >= use.limit)
      notices.push({
        key: `${key}:reached`,
        kind: 'budget',
        ...at,
        title: `${who} reached its budget`,
        message: `${describeUse(use)}: ${stage === null ? 'no new session starts' : 'it stops at its next turn and waits for you'} (${raise})`,
      });
    else if (use.spent >= use.limit * WARN_SHARE)
      notices.push({
        key: `${key}:80`,
        kind: 'budget',
        ...at,
        title: `${who} has spent ${Math.floor((use.spent / use.limit) * 100)}% of its budget`,
        message: `${describeUse(use)} (${raise} raises it)`,
      });
  }
  return notices;
}

export function dueNotices(state: FluxState, stopReminders?: number, budget?: BudgetCheck): Notice[] {
  const notices: Notice[] = [];
  const title = state.plan?.title ?? 'Flux';
  if (budget !== undefined && state.order.some((id) => state.stages[id]?.status !== 'merged'))
    notices.push(...budgetNotices(null, budgetUses(planSpend(state, budget.now), planLimits(state))));
  for (const stage of Object.values(state.stages)) {
    const id = stage.id;
    if (budget !== undefined && stage.status !== 'merged')
      notices.push(
        ...budgetNotices(
          id,
          budgetUses(stageSpend(state, id, budget.now), stageLimits(state, id, budget.defaults)),
        ),
      );
    const session = currentSession(state, stage);
    if (session !== null && session.waiting !== null && sessionAlive(session)) {
      notices.push({
        key: `permission:${session.id}:${session.since}`,
        kind: 'permission',
        stage: id,
        title: `${id} asks for permission`,
        message: `${session.waiting.tool}: ${session.waiting.detail} (flux approve ${id} / flux deny ${id})`,
      });
    }
    if (stage.status === 'completed' && stage.def.gate === 'human' && !isTask(stage)) {
      notices.push({
        key: `review:${id}:${stage.since}`,
        kind: 'review',
        stage: id,
        title: `${id} is ready for review`,
        message: `${stage.def.name}: flux verify ${id}`,
      });
    }
    if (stage.status === 'failed') {
      notices.push({
        key: `crash:${id}:${stage.since}`,
        kind: 'crash',
        stage: id,
        title: `${id} failed`,
        message: `${stage.reason ?? 'no reason given'} (flux resume ${id})`,
      });
    }
    if (stage.status === 'running' && session !== null) {
      const stalled = stalledSession(state, session.id, stopReminders);
      if (stalled !== null)
        notices.push({
          key: `crash:${session.id}:${session.since}`,
          kind: 'crash',
          stage: id,
          title: `${id} stopped`,
          message: `${stalled.what} (${stalled.command(id)})`,
        });
    }
    if (stage.status === 'verified' && stage.reason !== null) {
      notices.push({
        key: `conflict:${id}:${stage.since}:${stage.reason}`,
        kind: 'conflict',
        stage: id,
        title: `${id} was not merged`,
        message: `${stage.reason} (flux merge ${id})`,
      });
    }
  }
  for (const [host, away] of Object.entries(state.unreachable ?? {}))
    notices.push({
      key: `host:${host}:${away.since}`,
      kind: 'host',
      title: `host ${host} cannot be reached`,
      message: `${away.reason}; its stages wait or go elsewhere (flux doctor checks it)`,
    });
  if (state.order.length > 0 && state.order.every((id) => state.stages[id]!.status === 'merged'))
    notices.push({
      key: `done:${state.plan?.hash ?? ''}`,
      kind: 'done',
      title: `${title} is done`,
      message: `all ${state.order.length} stages are merged into ${state.baseBranch ?? 'the base branch'}`,
    });
  const told = state.notified ?? {};
  return notices.filter((notice) => told[notice.key] !== true);
}

/** Records the notices due now; the monitor sends what was recorded. */
export function decideNotices(state: FluxState, stopReminders?: number, budget?: BudgetCheck): Decision {
  const events: NewEvent[] = dueNotices(state, stopReminders, budget).map((notice) => ({
    type: 'notification.sent',
    ...notice,
  }));
  return { events, effects: [] };
}
