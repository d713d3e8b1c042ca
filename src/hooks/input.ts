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
  context_window?: {
    used_percentage?: number | null;
    context_window_size?: number | null;
    total_input_tokens?: number | null;
    total_output_tokens?: number | null;
  };
  cost?: { total_cost_usd?: number | null };
}

export class HookInputError extends Error {
  override name = 'HookInputError';
}

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
  // Claude Code always sends an object; nothing at all is a broken call, not an empty one.
  if (text.trim() === '') throw new HookInputError('stdin is empty: a hook call carries a JSON object');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
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
    // Numbers, but any numbers: what they mean is judged by contextPercent and contextWindowSize.
    for (const field of [
      'context_window_size',
      'used_percentage',
      'total_input_tokens',
      'total_output_tokens',
    ] as const) {
      const value = (window as Record<string, unknown>)[field];
      if (value !== undefined && value !== null && typeof value !== 'number') {
        throw new HookInputError(`context_window.${field} must be a number or null`);
      }
    }
  }
  const cost = input.cost;
  if (cost !== undefined && cost !== null) {
    if (typeof cost !== 'object') throw new HookInputError('cost must be an object');
    const usd = (cost as Record<string, unknown>).total_cost_usd;
    if (usd !== undefined && usd !== null && typeof usd !== 'number')
      throw new HookInputError('cost.total_cost_usd must be a number or null');
  }
  return input as HookInput;
}

/** A spend figure Flux can record: a finite number of 0 or more, or null (unknown). */
export function spendFigure(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * The session's tokens so far: Claude Code's running totals of input and
 * output tokens (`context_window.total_input_tokens` + `total_output_tokens`),
 * null when neither is a usable figure (docs/budgets.md).
 */
export function sessionTokens(input: HookInput): number | null {
  const inTokens = spendFigure(input.context_window?.total_input_tokens);
  const outTokens = spendFigure(input.context_window?.total_output_tokens);
  if (inTokens === null && outTokens === null) return null;
  return Math.round((inTokens ?? 0) + (outTokens ?? 0));
}

/**
 * A context figure Flux can act on: a finite percentage within 0–100, or
 * null (unknown). Anything else (1e308, -50) is no figure at all, so it can
 * neither be shown nor trigger a handoff.
 */
export function contextPercent(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100 ? value : null;
}

/** A context window size in tokens, or null when it is not a positive finite number. */
export function contextWindowSize(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}
