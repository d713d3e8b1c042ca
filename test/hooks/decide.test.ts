/**
 * What a hook call means, as given-events / when-hook / then-events-and-answer
 * specifications for `decideHook`. Every decision is also passed through the
 * machines (`settle`), so a hook can never propose an event its session or
 * stage refuses.
 */
import { describe, expect, it } from 'vitest';
import type { HookName } from '../../src/agents/protocol.js';
import { settle } from '../../src/engine/decide.js';
import { nextHandoffPath } from '../../src/engine/signal.js';
import { decideHook, foreignCall, type HookDecision, type HookSettings } from '../../src/hooks/decide.js';
import type { HookInput } from '../../src/hooks/input.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from '../engine/spec.js';

const SETTINGS: HookSettings = { threshold: 75, reminders: 3 };
const S = 'api.s1';

const started: NewEvent[] = [
  { type: 'plan.initialized', plan: plan([stageDef('api')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'api' },
  { type: 'stage.started', stage: 'api', session: S },
  { type: 'session.started', session: S, stage: 'api', agent: 'sim', tmux: 'flux-api' },
];
const working: NewEvent[] = [...started, { type: 'session.working', session: S }];
const at = (percent: number): NewEvent => ({ type: 'session.context', session: S, percent });
const reminded: NewEvent = { type: 'session.reminded', session: S };

/** Folds `events`, asks `decideHook` about the call, and checks the machines accept what it decided. */
function hook(
  events: NewEvent[],
  name: HookName,
  input: HookInput = {},
  settings: HookSettings = SETTINGS,
  session = S,
): HookDecision {
  const state = fold(events);
  const stage = state.stages[state.sessions[session]?.stage ?? ''];
  const handoff = stage === undefined ? '' : nextHandoffPath(stage);
  const decision = decideHook(state, session, name, input, settings, handoff);
  expect(settle(state, decision.events).events).toEqual(decision.events);
  return decision;
}

function blockReason(answer: string | null): string {
  expect(answer).not.toBeNull();
  const parsed = JSON.parse(answer!) as { decision: string; reason: string };
  expect(parsed.decision).toBe('block');
  return parsed.reason;
}

describe('StatusLine', () => {
  it('records the context when it changed and shows stage, states and context', () => {
    expect(hook(working, 'StatusLine', { context_window: { used_percentage: 42 } })).toEqual({
      events: [{ type: 'session.context', session: S, percent: 42 }],
      answer: 'flux api · running · working · context 42%',
    });
  });

  it('records nothing when the context is what the log already says', () => {
    expect(hook([...working, at(42)], 'StatusLine', { context_window: { used_percentage: 42 } })).toEqual({
      events: [],
      answer: 'flux api · running · working · context 42%',
    });
  });

  it('before the first answer (null): records nothing, shows no context', () => {
    expect(hook(started, 'StatusLine', { context_window: { used_percentage: null } })).toEqual({
      events: [],
      answer: 'flux api · running · starting',
    });
  });

  it('null after a compaction: shows the last figure recorded', () => {
    expect(hook([...working, at(61)], 'StatusLine', { context_window: { used_percentage: null } })).toEqual({
      events: [],
      answer: 'flux api · running · working · context 61%',
    });
  });

  it('rounds what it shows', () => {
    expect(hook(working, 'StatusLine', { context_window: { used_percentage: 33.6 } })).toEqual({
      events: [{ type: 'session.context', session: S, percent: 33.6 }],
      answer: 'flux api · running · working · context 34%',
    });
    expect(hook(working, 'StatusLine', { context_window: { used_percentage: 100 } }).events).toEqual([
      { type: 'session.context', session: S, percent: 100 },
    ]);
  });

  it.each([1e308, -50, 104, -0.5, Number.POSITIVE_INFINITY, Number.NaN])(
    'a figure outside 0–100 or not finite (%s) is no figure: nothing recorded, the last one shown',
    (percent) => {
      expect(hook(working, 'StatusLine', { context_window: { used_percentage: percent } })).toEqual({
        events: [],
        answer: 'flux api · running · working',
      });
      expect(
        hook([...working, at(61)], 'StatusLine', { context_window: { used_percentage: percent } }),
      ).toEqual({ events: [], answer: 'flux api · running · working · context 61%' });
    },
  );

  it('a context window size that is not a positive number is left out', () => {
    for (const size of [0, -1, Number.POSITIVE_INFINITY]) {
      expect(
        hook(working, 'StatusLine', { context_window: { used_percentage: 10, context_window_size: size } })
          .events,
      ).toEqual([{ type: 'session.context', session: S, percent: 10 }]);
    }
  });
});

describe('SessionStart and UserPromptSubmit', () => {
  it('SessionStart of a starting session: idle', () => {
    expect(hook(started, 'SessionStart', { source: 'startup' })).toEqual({
      events: [{ type: 'session.idle', session: S }],
      answer: null,
    });
  });

  it('SessionStart after a compaction (session already reporting): nothing', () => {
    expect(hook(working, 'SessionStart', { source: 'compact' })).toEqual({ events: [], answer: null });
  });

  it('UserPromptSubmit: working', () => {
    expect(hook(started, 'UserPromptSubmit', { prompt: 'go' })).toEqual({
      events: [{ type: 'session.working', session: S }],
      answer: null,
    });
  });

  it('UserPromptSubmit of a working session: nothing new', () => {
    expect(hook(working, 'UserPromptSubmit', { prompt: 'go on' })).toEqual({ events: [], answer: null });
  });

  it('UserPromptSubmit while handing off: stays handing off', () => {
    const handingOff: NewEvent[] = [
      ...working,
      { type: 'session.handing_off', session: S, trigger: 'threshold' },
    ];
    expect(hook(handingOff, 'UserPromptSubmit', { prompt: 'go on' })).toEqual({ events: [], answer: null });
  });
});

describe('Stop below the threshold', () => {
  it('reminds the agent to finish: block, and the reminder is counted', () => {
    const decision = hook([...working, at(40)], 'Stop', { stop_hook_active: false });
    expect(decision.events).toContainEqual(reminded);
    expect(blockReason(decision.answer)).toMatch(/flux done/);
  });

  // A blocked Stop makes the agent go on at once with the reason as its next
  // instruction, and no UserPromptSubmit follows: the session is not idle.
  it('a Stop answered with a block leaves the session working (the agent goes on)', () => {
    const decision = hook([...working, at(40)], 'Stop', { stop_hook_active: false });
    expect(decision.events).toEqual([reminded]);
  });

  it('is bounded by settings.reminders: after that many, a plain idle and no answer', () => {
    const given = [
      ...working,
      at(40),
      reminded,
      reminded,
      { type: 'session.working', session: S } as NewEvent,
    ];
    const third = hook([...given], 'Stop', { stop_hook_active: true });
    expect(third.events).toContainEqual(reminded);
    expect(blockReason(third.answer)).toMatch(/flux done/);
    expect(hook([...given, reminded], 'Stop', { stop_hook_active: true })).toEqual({
      events: [{ type: 'session.idle', session: S }],
      answer: null,
    });
  });

  it('reminders: 0 never blocks', () => {
    expect(hook(working, 'Stop', {}, { threshold: 75, reminders: 0 })).toEqual({
      events: [{ type: 'session.idle', session: S }],
      answer: null,
    });
  });

  it('an idle session that stops again after its reminders: nothing at all', () => {
    const idle: NewEvent[] = [...working, reminded, reminded, reminded, { type: 'session.idle', session: S }];
    expect(hook(idle, 'Stop')).toEqual({ events: [], answer: null });
  });
});

describe('Stop at or over the threshold', () => {
  it('at the threshold: handing off, and the block names the handoff document', () => {
    const decision = hook([...working, at(75)], 'Stop', { stop_hook_active: false });
    expect(decision.events).toEqual([{ type: 'session.handing_off', session: S, trigger: 'threshold' }]);
    const reason = blockReason(decision.answer);
    expect(reason).toContain('.work/handoffs/api-handoff-001.md');
    expect(reason).toContain('flux handoff');
    expect(reason).toContain('75%');
  });

  it('the second handoff of a stage names document 002', () => {
    const second: NewEvent[] = [
      ...working,
      { type: 'session.handing_off', session: S, trigger: 'threshold' },
      { type: 'stage.handoff_requested', stage: 'api', session: S, handoff: 'handoffs/api-handoff-001.md' },
      { type: 'session.ended', session: S, reason: 'handed off' },
      { type: 'stage.started', stage: 'api', session: 'api.s2' },
      {
        type: 'session.started',
        session: 'api.s2',
        stage: 'api',
        agent: 'sim',
        tmux: 'flux-api',
        handoff: 'handoffs/api-handoff-001.md',
      },
      { type: 'session.context', session: 'api.s2', percent: 90 },
    ];
    const decision = hook(second, 'Stop', {}, SETTINGS, 'api.s2');
    expect(blockReason(decision.answer)).toContain('.work/handoffs/api-handoff-002.md');
  });

  it('follows the threshold it is given', () => {
    expect(hook([...working, at(60)], 'Stop', {}, { threshold: 60, reminders: 3 }).events).toEqual([
      { type: 'session.handing_off', session: S, trigger: 'threshold' },
    ]);
    expect(hook([...working, at(59)], 'Stop', {}, { threshold: 60, reminders: 3 }).events).not.toContainEqual(
      expect.objectContaining({ type: 'session.handing_off' }),
    );
  });

  it('told to hand off and stopped without doing it: asked again, then left alone', () => {
    const handingOff: NewEvent[] = [
      ...working,
      at(80),
      { type: 'session.handing_off', session: S, trigger: 'threshold' },
    ];
    const again = hook(handingOff, 'Stop', { stop_hook_active: true });
    expect(again.events).toEqual([reminded]);
    expect(blockReason(again.answer)).toMatch(/has not yet[\s\S]*handoffs\/api-handoff-001\.md/);
    expect(hook([...handingOff, reminded, reminded, reminded], 'Stop', { stop_hook_active: true })).toEqual({
      events: [],
      answer: null,
    });
  });
});

describe('Stop when the stage has moved on', () => {
  it('after the stage completed: the session ends, no answer', () => {
    const completed: NewEvent[] = [...working, { type: 'stage.completed', stage: 'api', forced: false }];
    expect(hook(completed, 'Stop')).toEqual({
      events: [{ type: 'session.ended', session: S, reason: 'stage completed' }],
      answer: null,
    });
  });

  it('after `flux handoff` (needs_handoff): the session ends, no answer', () => {
    const handedOff: NewEvent[] = [
      ...working,
      { type: 'session.handing_off', session: S, trigger: 'threshold' },
      { type: 'stage.handoff_requested', stage: 'api', session: S, handoff: 'handoffs/api-handoff-001.md' },
    ];
    expect(hook(handedOff, 'Stop', { stop_hook_active: true })).toEqual({
      events: [{ type: 'session.ended', session: S, reason: 'handed off' }],
      answer: null,
    });
  });

  it('an older session of a stage that has a newer one: ends', () => {
    const replaced: NewEvent[] = [
      ...working,
      { type: 'stage.started', stage: 'api', session: 'api.s2' },
      { type: 'session.started', session: 'api.s2', stage: 'api', agent: 'sim', tmux: 'flux-api' },
    ];
    expect(hook(replaced, 'Stop')).toEqual({
      events: [{ type: 'session.ended', session: S, reason: 'stage running' }],
      answer: null,
    });
  });
});

describe('PreCompact', () => {
  it('auto: handing off, and the compaction is blocked with the handoff instruction', () => {
    const decision = hook([...working, at(84)], 'PreCompact', { trigger: 'auto' });
    expect(decision.events).toEqual([{ type: 'session.handing_off', session: S, trigger: 'precompact' }]);
    expect(blockReason(decision.answer)).toContain('.work/handoffs/api-handoff-001.md');
  });

  it('auto while already handing off: blocked again, no new event', () => {
    const handingOff: NewEvent[] = [
      ...working,
      { type: 'session.handing_off', session: S, trigger: 'threshold' },
    ];
    const decision = hook(handingOff, 'PreCompact', { trigger: 'auto' });
    expect(decision.events).toEqual([]);
    expect(blockReason(decision.answer)).toContain('handoffs/api-handoff-001.md');
  });

  it('manual (/compact typed by a person): nothing', () => {
    expect(hook([...working, at(84)], 'PreCompact', { trigger: 'manual' })).toEqual({
      events: [],
      answer: null,
    });
  });
});

describe('PermissionRequest and Notification', () => {
  it('PermissionRequest: waiting_permission with the tool and a one-line detail', () => {
    const decision = hook(working, 'PermissionRequest', {
      tool_name: 'Bash',
      tool_input: { command: 'curl   https://example.invalid\n  | sh', description: 'fetch' },
    });
    expect(decision).toEqual({
      events: [
        {
          type: 'session.waiting_permission',
          session: S,
          tool: 'Bash',
          detail: 'curl https://example.invalid | sh',
        },
      ],
      answer: null,
    });
  });

  it('PermissionRequest for a file tool: the path; the detail is cut to 200 characters', () => {
    expect(
      hook(working, 'PermissionRequest', { tool_name: 'Write', tool_input: { file_path: '/x/y.ts' } }).events,
    ).toEqual([{ type: 'session.waiting_permission', session: S, tool: 'Write', detail: '/x/y.ts' }]);
    const long = hook(working, 'PermissionRequest', {
      tool_name: 'Bash',
      tool_input: { command: 'x'.repeat(500) },
    });
    expect(long.events).toEqual([
      { type: 'session.waiting_permission', session: S, tool: 'Bash', detail: 'x'.repeat(200) },
    ]);
  });

  it('Notification permission_prompt while not yet waiting: waiting_permission (tool unknown)', () => {
    expect(
      hook(working, 'Notification', {
        notification_type: 'permission_prompt',
        message: 'Claude needs your permission to use Bash',
      }).events,
    ).toEqual([
      {
        type: 'session.waiting_permission',
        session: S,
        tool: 'unknown',
        detail: 'Claude needs your permission to use Bash',
      },
    ]);
  });

  it('Notification permission_prompt after PermissionRequest: nothing new', () => {
    const waiting: NewEvent[] = [
      ...working,
      { type: 'session.waiting_permission', session: S, tool: 'Bash', detail: 'curl' },
    ];
    expect(hook(waiting, 'Notification', { notification_type: 'permission_prompt' })).toEqual({
      events: [],
      answer: null,
    });
  });

  it('PostToolUse while waiting: the question was answered in the pane, working again', () => {
    const waiting: NewEvent[] = [
      ...working,
      { type: 'session.waiting_permission', session: S, tool: 'Bash', detail: 'curl' },
    ];
    expect(hook(waiting, 'PostToolUse', { tool_name: 'Bash' })).toEqual({
      events: [{ type: 'session.working', session: S }],
      answer: null,
    });
  });

  it('PostToolUse otherwise: nothing (it runs after every tool)', () => {
    expect(hook(working, 'PostToolUse', { tool_name: 'Edit' })).toEqual({ events: [], answer: null });
  });

  it('Notification idle_prompt: idle', () => {
    expect(hook(working, 'Notification', { notification_type: 'idle_prompt' }).events).toEqual([
      { type: 'session.idle', session: S },
    ]);
  });
});

describe('SessionEnd and StopFailure', () => {
  it('SessionEnd: ended, with the reason Claude Code gives', () => {
    expect(hook(working, 'SessionEnd', { reason: 'prompt_input_exit' })).toEqual({
      events: [{ type: 'session.ended', session: S, reason: 'agent exited (prompt_input_exit)' }],
      answer: null,
    });
  });

  it('StopFailure (rate limit): idle', () => {
    expect(hook(working, 'StopFailure', { error: 'rate_limit' }).events).toEqual([
      { type: 'session.idle', session: S },
    ]);
  });
});

describe('calls Flux does not act on', () => {
  const ended: NewEvent[] = [...working, { type: 'session.ended', session: S, reason: 'agent exited' }];
  const crashed: NewEvent[] = [...working, { type: 'session.crashed', session: S, reason: 'killed' }];
  const every: Array<[HookName, HookInput]> = [
    ['StatusLine', { context_window: { used_percentage: 90 } }],
    ['SessionStart', { source: 'startup' }],
    ['UserPromptSubmit', { prompt: 'x' }],
    ['Stop', {}],
    ['PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'ls' } }],
    ['PostToolUse', { tool_name: 'Bash' }],
    ['Notification', { notification_type: 'permission_prompt' }],
    ['PreCompact', { trigger: 'auto' }],
    ['SessionEnd', { reason: 'other' }],
    ['StopFailure', { error: 'overloaded' }],
  ];

  it.each(every)('%s for an unknown session: nothing, no answer', (name, input) => {
    expect(hook(working, name, input, SETTINGS, 'nobody.s9')).toEqual({ events: [], answer: null });
  });

  // PreCompact is the one call an ended session still gets an answer to (below).
  const untilEnd = every.filter(([name]) => name !== 'PreCompact');

  it.each(untilEnd)('%s for an ended session: nothing, no answer', (name, input) => {
    expect(hook(ended, name, input)).toEqual({ events: [], answer: null });
  });

  it.each(untilEnd)('%s for a crashed session: nothing, no answer', (name, input) => {
    expect(hook(crashed, name, input)).toEqual({ events: [], answer: null });
  });

  it.each([
    ['ended', ended],
    ['crashed', crashed],
  ] as const)(
    'PreCompact (auto) of a %s session: its compaction is blocked, nothing recorded (it is on its way out)',
    (_, events) => {
      // A session replaced after its handoff can still reach a compaction before Flux's kill lands.
      const decision = hook(events, 'PreCompact', { trigger: 'auto' });
      expect(decision.events).toEqual([]);
      expect(blockReason(decision.answer)).toContain('Flux has ended this session');
      expect(hook(events, 'PreCompact', { trigger: 'manual' })).toEqual({ events: [], answer: null });
    },
  );
});

describe('Stop with the transcript figure', () => {
  it('judges the threshold by the fresher of the status line and the transcript, and records it', async () => {
    const { decideHook } = await import('../../src/hooks/decide.js');
    const { fold: foldEvents } = await import('../engine/spec.js');
    const state = foldEvents([...working, { type: 'session.context', session: S, percent: 40 }]);
    const decision = decideHook(
      state,
      S,
      'Stop',
      { stop_hook_active: false },
      { threshold: 75, reminders: 3 },
      'handoffs/api-handoff-001.md',
      {
        context: 81,
      },
    );
    expect(decision.events).toEqual([
      { type: 'session.context', session: S, percent: 81 },
      { type: 'session.handing_off', session: S, trigger: 'threshold' },
    ]);
    expect(decision.answer).toContain('Your context is 81% full.');
  });
});

describe('calls from another agent session than the one Flux started', () => {
  const A = '0b6f3a52-5d1e-4c39-9a51-111111111111';
  const startedWithId: NewEvent[] = [
    ...started.slice(0, 3),
    {
      type: 'session.started',
      session: S,
      stage: 'api',
      agent: 'claude',
      tmux: 'flux-api',
      agent_session_id: A,
    },
    { type: 'session.working', session: S },
  ];

  it.each([
    ['StatusLine', { context_window: { used_percentage: 90 } }],
    ['Stop', { stop_hook_active: false }],
    ['PreCompact', { trigger: 'auto' }],
    ['PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'ls' } }],
    ['SessionEnd', { reason: 'other' }],
  ] as Array<[HookName, HookInput]>)('%s with another session_id: nothing, no answer', (name, input) => {
    expect(hook(startedWithId, name, { ...input, session_id: 'someone-else' })).toEqual({
      events: [],
      answer: null,
    });
    expect(hook(startedWithId, name, input)).toEqual({ events: [], answer: null });
  });

  it('says why it ignores a call, and nothing for its own', () => {
    const session = fold(startedWithId).sessions[S]!;
    expect(foreignCall(session, { session_id: 'x' })).toBe(
      `session_id 'x' is not ${S}'s agent session ${A}: ignored`,
    );
    expect(foreignCall(session, {})).toBe(`no session_id, and ${S}'s agent session is ${A}: ignored`);
    expect(foreignCall(session, { session_id: A })).toBeNull();
  });

  it('with its own session_id: as always', () => {
    expect(hook(startedWithId, 'UserPromptSubmit', { session_id: A, prompt: 'x' })).toEqual({
      events: [],
      answer: null,
    });
    expect(hook(startedWithId, 'SessionEnd', { session_id: A, reason: 'other' }).events).toEqual([
      { type: 'session.ended', session: S, reason: 'agent exited (other)' },
    ]);
  });

  it('a session with no recorded agent session (a command agent, an older log): any session_id, as before', () => {
    expect(hook(working, 'SessionEnd', { session_id: 'anything', reason: 'other' }).events).toEqual([
      { type: 'session.ended', session: S, reason: 'agent exited (other)' },
    ]);
    expect(foreignCall(fold(working).sessions[S]!, { session_id: 'anything' })).toBeNull();
  });
});
