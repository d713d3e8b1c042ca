/**
 * The top-level fields of each JSON Claude Code 2.1.197 sends, as recorded
 * from the real binary (see /docs/sim-agent.md, "Fidelity"). The sim must
 * send exactly these, so Flux's handlers see no difference.
 */
const IDENTITY = ['session_id', 'transcript_path', 'cwd'];

export const CLAUDE_FIELDS: Record<string, string[]> = {
  /** At startup; the one after a compaction also has prompt_id. */
  SessionStart: [...IDENTITY, 'hook_event_name', 'source', 'model'],
  UserPromptSubmit: [...IDENTITY, 'prompt_id', 'permission_mode', 'hook_event_name', 'prompt'],
  Stop: [
    ...IDENTITY,
    'prompt_id',
    'permission_mode',
    'hook_event_name',
    'stop_hook_active',
    'last_assistant_message',
    'background_tasks',
    'session_crons',
  ],
  PermissionRequest: [
    ...IDENTITY,
    'prompt_id',
    'permission_mode',
    'hook_event_name',
    'tool_name',
    'tool_input',
    'permission_suggestions',
  ],
  Notification: [...IDENTITY, 'prompt_id', 'hook_event_name', 'message', 'notification_type'],
  PreCompact: [...IDENTITY, 'prompt_id', 'hook_event_name', 'trigger', 'custom_instructions'],
  SessionEnd: [...IDENTITY, 'prompt_id', 'hook_event_name', 'reason'],
  /** The status line before the first prompt has no prompt_id (Claude Code sends it that way too). */
  StatusLine: [
    ...IDENTITY,
    'prompt_id',
    'model',
    'workspace',
    'version',
    'output_style',
    'cost',
    'context_window',
    'exceeds_200k_tokens',
    'fast_mode',
    'thinking',
  ],
};

export const CONTEXT_WINDOW_FIELDS = [
  'total_input_tokens',
  'total_output_tokens',
  'context_window_size',
  'current_usage',
  'used_percentage',
  'remaining_percentage',
];

export const CURRENT_USAGE_FIELDS = [
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
];

export const COST_FIELDS = [
  'total_cost_usd',
  'total_duration_ms',
  'total_api_duration_ms',
  'total_lines_added',
  'total_lines_removed',
];
