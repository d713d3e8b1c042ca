/**
 * The JSON Claude Code writes to a hook's stdin (and to the status-line
 * command), checked field by field.
 *
 * Hand-written rather than zod on purpose: this runs on every agent turn and
 * loading zod alone costs more than the whole hook (docs/hooks.md has the
 * figures). Only the fields Flux reads are checked; the rest pass through.
 */
export interface HookInput {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  hook_event_name?: string;
  source?: string;
  prompt?: string;
  stop_hook_active?: boolean;
  last_assistant_message?: string;
  tool_name?: string;
  tool_input?: unknown;
  notification_type?: string;
  message?: string;
  trigger?: string;
  reason?: string;
  error?: string;
  context_window?: { used_percentage?: number | null; context_window_size?: number | null };
}

export class HookInputError extends Error {}

const STRING_FIELDS = [
  'session_id',
  'transcript_path',
  'cwd',
  'hook_event_name',
  'source',
  'prompt',
  'last_assistant_message',
  'tool_name',
  'notification_type',
  'message',
  'trigger',
  'reason',
  'error',
] as const;

export function parseHookInput(text: string): HookInput {
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new HookInputError(`stdin is not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new HookInputError('stdin is not a JSON object');
  const input = raw as Record<string, unknown>;
  for (const field of STRING_FIELDS) {
    if (input[field] !== undefined && input[field] !== null && typeof input[field] !== 'string') {
      throw new HookInputError(`${field} must be a string, got ${typeof input[field]}`);
    }
  }
  if (input.stop_hook_active !== undefined && typeof input.stop_hook_active !== 'boolean') {
    throw new HookInputError('stop_hook_active must be a boolean');
  }
  const window = input.context_window;
  if (window !== undefined && window !== null) {
    if (typeof window !== 'object') throw new HookInputError('context_window must be an object');
    const size = (window as Record<string, unknown>).context_window_size;
    if (size !== undefined && size !== null && (typeof size !== 'number' || !Number.isFinite(size))) {
      throw new HookInputError('context_window.context_window_size must be a number or null');
    }
    const used = (window as Record<string, unknown>).used_percentage;
    if (used !== undefined && used !== null && (typeof used !== 'number' || !Number.isFinite(used))) {
      throw new HookInputError('context_window.used_percentage must be a number or null');
    }
  }
  return input as HookInput;
}
