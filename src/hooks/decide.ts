/**
 * What a hook call means (pure): from the session's state and the hook's
 * input, the events to append and what to answer the agent.
 *
 * The answers follow Claude Code's hook protocol (docs/claude-code.md):
 * a Stop or PreCompact answered `{"decision":"block","reason":…}` keeps the
 * agent working with `reason` as its next instruction.
 */
import type { HookName } from '../agents/protocol.js';
import {
  budgetUses,
  describeUse,
  planLimits,
  planSpend,
  reachedEvent,
  round,
  stageBudgetReached,
  stageLimits,
  stageSpend,
  WARN_SHARE,
  type BudgetDefaults,
  type BudgetUse,
} from '../engine/budget.js';
import { sessionAlive, type FluxState, type SessionState, type StageState } from '../engine/state.js';
import type { NewEvent } from '../log/events.js';
import { contextPercent, contextWindowSize, sessionTokens, spendFigure, type HookInput } from './input.js';

export interface HookSettings {
  /** Context percent at which the session is asked to hand off. */
  threshold: number;
  /** How many times a stop without `flux done`/`flux handoff` is answered with a reminder. */
  reminders: number;
  /** The `[budget]` defaults the session was started with (docs/budgets.md). */
  budget?: BudgetDefaults;
}

/** A session's spend is recorded at most this often (unless it crosses 80% or 100% of a limit). */
export const COST_EVENT_INTERVAL_MS = 3000;

export interface HookDecision {
  events: NewEvent[];
  /** Printed on stdout for the agent; null prints nothing. */
  answer: string | null;
}

const nothing: HookDecision = { events: [], answer: null };

/** Moves the session to an activity state, unless it is handing off (it stays there until it ends). */
function activity(session: SessionState, type: 'session.working' | 'session.idle'): NewEvent[] {
  if (session.status === 'handing_off') return [];
  if (type === 'session.idle' && session.status === 'idle') return [];
  if (type === 'session.working' && session.status === 'working') return [];
  return [{ type, session: session.id }];
}

export function handoffInstruction(handoff: string, why: string): string {
  return (
    `${why} Before your context runs out, hand this stage off to a fresh session: ` +
    `write .work/${handoff} with (1) a short summary of the stage, (2) what is done, ` +
    `(3) what remains, with file:line references, and (4) the decisions you made and why. ` +
    `Commit your work, then run \`flux handoff\` and stop.`
  );
}

/** What a session is told at a Stop once its stage's budget is spent: commit, hand off, stop. */
export function budgetInstruction(handoff: string, use: BudgetUse): string {
  return (
    `This stage has reached its budget (${describeUse(use)}); a person decides whether it goes on. ` +
    `Stop working on it now: write .work/${handoff} with (1) a short summary of the stage, (2) what is done, ` +
    `(3) what remains, with file:line references, and (4) the decisions you made and why. ` +
    `Commit your work, then run \`flux handoff\` and stop.`
  );
}

function block(reason: string): string {
  return JSON.stringify({ decision: 'block', reason });
}

/** Stops of this session answered with a reminder so far. */
export function remindersSent(state: FluxState, session: SessionState): number {
  return state.sessions[session.id]?.reminders ?? 0;
}

function onStop(
  state: FluxState,
  stage: StageState,
  session: SessionState,
  input: HookInput,
  settings: HookSettings,
  handoff: string,
  observed: Observed,
): HookDecision {
  // The stage is finished with this session: let it stop; Flux closes it.
  if (stage.session !== session.id || !['running', 'needs_handoff'].includes(stage.status)) {
    return {
      events: [{ type: 'session.ended', session: session.id, reason: `stage ${stage.status}` }],
      answer: null,
    };
  }
  if (stage.status === 'needs_handoff') {
    return { events: [{ type: 'session.ended', session: session.id, reason: 'handed off' }], answer: null };
  }
  if (session.status === 'handing_off') {
    // Told to hand off and stopped without doing it: ask again, boundedly.
    if (input.stop_hook_active === true && remindersSent(state, session) >= settings.reminders)
      return { events: activity(session, 'session.idle'), answer: null };
    return {
      events: [{ type: 'session.reminded', session: session.id }],
      answer: block(handoffInstruction(handoff, 'Flux asked this session to hand off, and it has not yet.')),
    };
  }
  // A spent budget comes before the context: the session stops either way, and a person is asked.
  const spent = stageBudgetReached(state, stage.id, settings.budget ?? {}, observed.now ?? Date.now());
  if (spent !== null) {
    const reached = reachedEvent(stage.budget?.reached, spent, stage.id);
    return {
      events: [
        ...(reached === null ? [] : [reached]),
        { type: 'session.handing_off', session: session.id, trigger: 'budget' },
      ],
      answer: block(budgetInstruction(handoff, spent)),
    };
  }
  // The transcript's figure is fresher than the status line's, which lags the last message.
  const context = Math.max(session.context ?? 0, observed.context ?? 0);
  const fresher: NewEvent[] =
    observed.context !== undefined && observed.context !== null && observed.context > (session.context ?? 0)
      ? [{ type: 'session.context', session: session.id, percent: observed.context }]
      : [];
  if (context >= settings.threshold) {
    return {
      events: [...fresher, { type: 'session.handing_off', session: session.id, trigger: 'threshold' }],
      answer: block(handoffInstruction(handoff, `Your context is ${Math.round(context)}% full.`)),
    };
  }
  if (remindersSent(state, session) < settings.reminders) {
    return {
      // A blocked stop: the agent goes straight on, so the session stays as it is.
      events: [{ type: 'session.reminded', session: session.id }],
      answer: block(
        `The ${stage.kind === 'task' ? 'task' : 'stage'} is not done yet. If the work is finished, commit it and run \`flux done\` ` +
          '(it runs the acceptance commands; fix what fails). If you are stuck, explain why in your reply.',
      ),
    };
  }
  return { events: activity(session, 'session.idle'), answer: null };
}

function summarize(input: HookInput): string {
  const toolInput = input.tool_input;
  if (toolInput !== undefined && typeof toolInput === 'object' && toolInput !== null) {
    const record = toolInput as Record<string, unknown>;
    const text = record.command ?? record.file_path ?? record.url ?? JSON.stringify(toolInput);
    return String(text).replace(/\s+/g, ' ').slice(0, 200);
  }
  return input.message ?? '';
}

/**
 * Why a call is not this session's to act on, or null when it is. Flux
 * chose the agent's own session id (claude `--session-id`) and recorded it:
 * a call carrying another (settings copied into another claude, a `/clear`
 * that started a new conversation) speaks for someone else. A session with
 * no recorded id (a command agent, a log from before ids were recorded)
 * accepts any call, as it always did.
 */
export function foreignCall(session: SessionState, input: HookInput): string | null {
  const expected = session.agentSessionId;
  if (expected === null || input.session_id === expected) return null;
  return input.session_id === undefined || input.session_id === null
    ? `no session_id, and ${session.id}'s agent session is ${expected}: ignored`
    : `session_id '${input.session_id}' is not ${session.id}'s agent session ${expected}: ignored`;
}

/** What the hook's runner read besides its stdin: the context figure in the agent's transcript, and the time. */
export interface Observed {
  context?: number | null;
  /** Milliseconds since the epoch; `Date.now()` when absent. */
  now?: number;
}

/** Shares of the limits that matter for a spend: 80% (a person is told) and 100% (the stage stops). */
function marksPassed(uses: readonly BudgetUse[]): number {
  return (
    uses.filter((u) => u.spent >= u.limit * WARN_SHARE).length + uses.filter((u) => u.spent >= u.limit).length
  );
}

/**
 * The `session.cost` a status line calls for: only a changed figure, and at
 * most one every COST_EVENT_INTERVAL_MS per session, so the log does not
 * grow with every tick; but at once when the new figure takes the stage or
 * the plan past 80% or 100% of a limit (the Stop that follows acts on it).
 */
function costEvent(
  state: FluxState,
  stage: StageState,
  session: SessionState,
  input: HookInput,
  settings: HookSettings,
  now: number,
): NewEvent | null {
  const usd = spendFigure(input.cost?.total_cost_usd);
  const tokens = sessionTokens(input);
  if (usd === null) return null;
  const oldTokens = session.tokens ?? null;
  // Only a changed cost is news (the tokens ride along); a first figure of nothing spent is none.
  if (usd === (session.costUsd ?? 0)) return null;
  const event: NewEvent = {
    type: 'session.cost',
    session: session.id,
    usd: round(usd),
    ...(tokens === null ? {} : { tokens }),
  };
  const last = session.costAt === null || session.costAt === undefined ? NaN : Date.parse(session.costAt);
  if (!(now - last < COST_EVENT_INTERVAL_MS)) return event;
  const after: FluxState = {
    ...state,
    sessions: { ...state.sessions, [session.id]: { ...session, costUsd: usd, tokens: tokens ?? oldTokens } },
  };
  const limits = stageLimits(state, stage.id, settings.budget ?? {});
  const planOwn = stage.kind !== 'task';
  const before =
    marksPassed(budgetUses(stageSpend(state, stage.id, now), limits)) +
    (planOwn ? marksPassed(budgetUses(planSpend(state, now), planLimits(state))) : 0);
  const later =
    marksPassed(budgetUses(stageSpend(after, stage.id, now), limits)) +
    (planOwn ? marksPassed(budgetUses(planSpend(after, now), planLimits(state))) : 0);
  return later > before ? event : null;
}

export function decideHook(
  state: FluxState,
  sessionId: string,
  hook: HookName,
  input: HookInput,
  settings: HookSettings,
  handoff: string,
  observed: Observed = {},
): HookDecision {
  const session = state.sessions[sessionId];
  if (session === undefined || foreignCall(session, input) !== null) return nothing;
  if (!sessionAlive(session)) {
    // Ended (replaced after a handoff, crashed) yet still running until Flux's
    // kill lands: a compaction then would only spend tokens on a session that is going.
    return hook === 'PreCompact' && input.trigger === 'auto'
      ? { events: [], answer: block('Flux has ended this session: do not compact; stop here.') }
      : nothing;
  }
  const stage = state.stages[session.stage];
  if (stage === undefined) return nothing;

  switch (hook) {
    case 'StatusLine': {
      const percent = contextPercent(input.context_window?.used_percentage);
      const window = contextWindowSize(input.context_window?.context_window_size);
      const events: NewEvent[] =
        percent !== null && percent !== session.context
          ? [
              {
                type: 'session.context',
                session: session.id,
                percent,
                ...(window === null ? {} : { window }),
              },
            ]
          : [];
      const cost = costEvent(state, stage, session, input, settings, observed.now ?? Date.now());
      if (cost !== null) events.push(cost);
      const shown = percent ?? session.context;
      return {
        events,
        answer: `flux ${stage.id} · ${stage.status} · ${session.status}${shown === null ? '' : ` · context ${Math.round(shown)}%`}`,
      };
    }
    case 'SessionStart':
      return {
        events: session.status === 'starting' ? [{ type: 'session.idle', session: session.id }] : [],
        answer: null,
      };
    case 'UserPromptSubmit':
      return { events: activity(session, 'session.working'), answer: null };
    case 'PostToolUse':
      // Only news when it was waiting (also while handing off): the tool ran, so the question was answered.
      return {
        events: session.waiting !== null ? [{ type: 'session.working', session: session.id }] : [],
        answer: null,
      };
    case 'Stop':
      return onStop(state, stage, session, input, settings, handoff, observed);
    case 'PermissionRequest':
      return {
        events: [
          {
            type: 'session.waiting_permission',
            session: session.id,
            tool: input.tool_name ?? 'unknown',
            detail: summarize(input),
          },
        ],
        answer: null,
      };
    case 'Notification':
      if (input.notification_type === 'permission_prompt' && session.waiting === null) {
        return {
          events: [
            {
              type: 'session.waiting_permission',
              session: session.id,
              tool: 'unknown',
              detail: summarize(input),
            },
          ],
          answer: null,
        };
      }
      if (input.notification_type === 'idle_prompt')
        return { events: activity(session, 'session.idle'), answer: null };
      return nothing;
    case 'PreCompact': {
      if (input.trigger !== 'auto') return nothing;
      // Compaction would lose the detail a handoff keeps: block it and hand off instead.
      const events: NewEvent[] =
        session.status === 'handing_off'
          ? []
          : [{ type: 'session.handing_off', session: session.id, trigger: 'precompact' }];
      return { events, answer: block(handoffInstruction(handoff, 'Your context is about to be compacted.')) };
    }
    case 'SessionEnd':
      return {
        events: [
          {
            type: 'session.ended',
            session: session.id,
            reason: `agent exited (${input.reason ?? 'unknown'})`,
          },
        ],
        answer: null,
      };
    case 'StopFailure':
      return { events: activity(session, 'session.idle'), answer: null };
  }
}
