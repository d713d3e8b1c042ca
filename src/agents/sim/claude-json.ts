/**
 * The JSON Claude Code sends to hooks and to the status-line command, field
 * for field as observed from Claude Code 2.1.197 (docs/sim-agent.md), so
 * Flux's handlers cannot tell the simulated agent from the real one.
 */

/** The model the simulated agent reports; it is honest about not being Claude. */
export const SIM_MODEL = { id: 'flux-sim', display_name: 'Flux sim' } as const;
export const CONTEXT_WINDOW_SIZE = 200_000;
/** Flux starts Claude Code with `--permission-mode acceptEdits` by default. */
export const PERMISSION_MODE = 'acceptEdits';

export interface ClaudeIdentity {
  sessionId: string;
  transcriptPath: string;
  cwd: string;
  /** Set by each prompt (UserPromptSubmit); later payloads carry it. */
  promptId?: string | undefined;
}

/** The fields every hook payload starts with. */
function base(id: ClaudeIdentity): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    session_id: id.sessionId,
    transcript_path: id.transcriptPath,
    cwd: id.cwd,
  };
  if (id.promptId !== undefined) fields.prompt_id = id.promptId;
  return fields;
}

export function sessionStartPayload(id: ClaudeIdentity, source: 'startup' | 'compact') {
  return { ...base(id), hook_event_name: 'SessionStart', source, model: SIM_MODEL.id };
}

export function userPromptSubmitPayload(id: ClaudeIdentity, prompt: string) {
  return { ...base(id), permission_mode: PERMISSION_MODE, hook_event_name: 'UserPromptSubmit', prompt };
}

export function stopPayload(id: ClaudeIdentity, stopHookActive: boolean, lastAssistantMessage: string) {
  return {
    ...base(id),
    permission_mode: PERMISSION_MODE,
    hook_event_name: 'Stop',
    stop_hook_active: stopHookActive,
    last_assistant_message: lastAssistantMessage,
    background_tasks: [],
    session_crons: [],
  };
}

export function permissionRequestPayload(id: ClaudeIdentity, tool: string, input: Record<string, unknown>) {
  const rule =
    typeof input.command === 'string' ? { toolName: tool, ruleContent: input.command } : { toolName: tool };
  return {
    ...base(id),
    permission_mode: PERMISSION_MODE,
    hook_event_name: 'PermissionRequest',
    tool_name: tool,
    tool_input: input,
    permission_suggestions: [
      { type: 'addRules', rules: [rule], behavior: 'allow', destination: 'localSettings' },
    ],
  };
}

export function permissionNotificationPayload(id: ClaudeIdentity) {
  return {
    ...base(id),
    hook_event_name: 'Notification',
    message: 'Claude needs your permission',
    notification_type: 'permission_prompt',
  };
}

export function preCompactPayload(id: ClaudeIdentity) {
  return { ...base(id), hook_event_name: 'PreCompact', trigger: 'auto', custom_instructions: null };
}

export function sessionEndPayload(id: ClaudeIdentity, reason: 'other' | 'prompt_input_exit') {
  return { ...base(id), hook_event_name: 'SessionEnd', reason };
}

/** What the session has used so far; drives the status line. */
export interface Usage {
  /** Context used, in percent; null before the first answer and right after a compaction. */
  percent: number | null;
  /** Input tokens of every answer so far (Claude Code's running total for the session). */
  totalInputTokens: number;
  totalOutputTokens: number;
  lastOutputTokens: number;
  costUsd: number;
  startedAt: number;
  linesAdded: number;
  linesRemoved: number;
}

export function statusLinePayload(id: ClaudeIdentity, usage: Usage, now: number) {
  const inputTokens = usage.percent === null ? 0 : Math.round((usage.percent / 100) * CONTEXT_WINDOW_SIZE);
  return {
    ...base(id),
    model: { ...SIM_MODEL },
    workspace: { current_dir: id.cwd, project_dir: id.cwd, added_dirs: [] },
    version: 'flux-sim',
    output_style: { name: 'default' },
    cost: {
      total_cost_usd: usage.costUsd,
      total_duration_ms: now - usage.startedAt,
      total_api_duration_ms: 0,
      total_lines_added: usage.linesAdded,
      total_lines_removed: usage.linesRemoved,
    },
    context_window: {
      total_input_tokens: usage.totalInputTokens,
      total_output_tokens: usage.totalOutputTokens,
      context_window_size: CONTEXT_WINDOW_SIZE,
      current_usage:
        usage.percent === null
          ? null
          : {
              input_tokens: inputTokens,
              output_tokens: usage.lastOutputTokens,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 0,
            },
      used_percentage: usage.percent,
      remaining_percentage: usage.percent === null ? null : 100 - usage.percent,
    },
    exceeds_200k_tokens: false,
    fast_mode: false,
    thinking: { enabled: true },
  };
}
