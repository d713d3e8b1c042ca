/**
 * `parseHookInput`: the hand-written check of the JSON Claude Code (or the
 * simulated agent) writes to a hook's stdin. Only the fields Flux reads are
 * checked; everything else passes through untouched.
 */
import { describe, expect, it } from 'vitest';
import { contextPercent, HookInputError, parseHookInput } from '../../src/hooks/input.js';

describe('parseHookInput', () => {
  it('accepts a Stop payload as Claude Code sends it, extra fields included', () => {
    const payload = {
      session_id: '72bea543-0000-4000-8000-000000000000',
      transcript_path: '/tmp/t.jsonl',
      cwd: '/tmp/repo',
      permission_mode: 'acceptEdits',
      hook_event_name: 'Stop',
      stop_hook_active: false,
      last_assistant_message: 'committed',
      background_tasks: [],
      session_crons: [],
    };
    expect(parseHookInput(JSON.stringify(payload))).toEqual(payload);
  });

  it('accepts a status line payload and its context figure', () => {
    const input = parseHookInput(
      JSON.stringify({
        session_id: 'x',
        model: { id: 'flux-sim' },
        context_window: { used_percentage: 15, remaining_percentage: 85, context_window_size: 200000 },
      }),
    );
    expect(input.context_window?.used_percentage).toBe(15);
  });

  it('accepts used_percentage null (before the first answer, after a compaction)', () => {
    expect(parseHookInput('{"context_window":{"used_percentage":null}}').context_window).toEqual({
      used_percentage: null,
    });
    expect(parseHookInput('{"context_window":null}').context_window).toBeNull();
    expect(parseHookInput('{"context_window":{}}').context_window).toEqual({});
  });

  it('string fields may be null', () => {
    expect(parseHookInput('{"reason":null}')).toEqual({ reason: null });
    expect(parseHookInput('{}')).toEqual({});
  });

  it.each([
    ['empty stdin', '', /stdin is empty/],
    ['blank stdin', '  \n', /stdin is empty/],
    ['not JSON', '{"session_id":', /stdin is not JSON/],
    ['plain text', 'hello', /stdin is not JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    ['a string', '"Stop"', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['a number field that must be a string', '{"tool_name":3}', /tool_name must be a string, got number/],
    ['an object where a string goes', '{"prompt":{"text":"x"}}', /prompt must be a string, got object/],
    ['stop_hook_active as a string', '{"stop_hook_active":"true"}', /stop_hook_active must be a boolean/],
    ['context_window as a number', '{"context_window":50}', /context_window must be an object/],
    [
      'used_percentage as a string',
      '{"context_window":{"used_percentage":"50"}}',
      /used_percentage must be a number or null/,
    ],
  ])('rejects %s with a HookInputError that says what is wrong', (_what, text, message) => {
    expect(() => parseHookInput(text)).toThrow(HookInputError);
    expect(() => parseHookInput(text)).toThrow(message);
  });

  it('lets a figure that is not finite through as a number (1e999 overflows): the decision treats it as unknown', () => {
    expect(parseHookInput('{"context_window":{"used_percentage":1e999}}').context_window).toEqual({
      used_percentage: Number.POSITIVE_INFINITY,
    });
  });

  it.each([
    [42, 42],
    [0, 0],
    [100, 100],
    [33.6, 33.6],
    [100.4, null],
    [104, null],
    [-50, null],
    [1e308, null],
    [Number.POSITIVE_INFINITY, null],
    [Number.NaN, null],
    [null, null],
    [undefined, null],
  ])('contextPercent(%s) is %s: a percentage is finite and within 0–100', (value, expected) => {
    expect(contextPercent(value)).toBe(expected);
  });
});
