/**
 * What a hook call means (pure): from the session's state and the hook's
 * input, the events to append and what to answer the agent.
 *
 * The answers follow Claude Code's hook protocol (docs/claude-code.md):
 * a Stop or PreCompact answered `{"decision":"block","reason":…}` keeps the
 * agent working with `reason` as its next instruction.
 */
import type { HookName } from '../agents/protocol.js';
import { sessionAlive, type FluxState, type SessionState, type StageState } from '../engine/state.js';
import type { NewEvent } from '../log/events.js';
import { contextPercent, contextWindowSize, type HookInput } from './input.js';

export interface HookSettings {
  /** Context percent at which the session is asked to hand off. */
  threshold: number;
  /** How many times a stop without `flux done`/`flux handoff` is answered with a reminder. */
  reminders: number;
}

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

/** What the hook's runner read besides its stdin: the context figure in the agent's transcript. */
export interface Observed {
  context?: number | null;
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
  if (session === undefined || !sessionAlive(session) || foreignCall(session, input) !== null) return nothing;
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
