/**
 * The simulated agent as Flux sees it: a separate process in a real git
 * repository calling FLUX_COMMAND (a recorder here) with Claude Code's hooks.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { defaultSimScript } from '../../../src/agents/sim/script.js';
import type { StageDef } from '../../../src/plan/types.js';
import { CLAUDE_FIELDS, CONTEXT_WINDOW_FIELDS, COST_FIELDS, CURRENT_USAGE_FIELDS } from './claude-shapes.js';
import { cleanupSims, hookNames, startSim, type HookCall } from './harness.js';

afterEach(cleanupSims);

/** Printed when the sim sits at its input box. */
const IDLE_BOX = '\n❯ \n─';

const STAGE: StageDef = {
  id: 'stage-1',
  name: 'Models',
  description: 'Add the models.',
  dependencies: [],
  acceptance: [],
  files: ['src/models/*.rs'],
  gate: 'human',
};

const count = (name: string) => (hooks: HookCall[]) => hooks.filter((h) => h.hook === name).length;
const usedPercent = (hooks: HookCall[]) =>
  hooks
    .filter((h) => h.hook === 'StatusLine')
    .map((h) => (h.input.context_window as { used_percentage: number | null }).used_percentage);
const stops = (hooks: HookCall[]) => hooks.filter((h) => h.hook === 'Stop').map((h) => h.input);
const block = (reason: string) => ({ stdout: { decision: 'block', reason } });

function expectClaudeShape(call: HookCall): void {
  const expected = [...(CLAUDE_FIELDS[call.hook] ?? ['(unknown hook)'])];
  const keys = Object.keys(call.input);
  // Before the first prompt there is no prompt_id; a SessionStart after compaction has one (as in Claude Code).
  if (call.hook === 'StatusLine' && !keys.includes('prompt_id'))
    expected.splice(expected.indexOf('prompt_id'), 1);
  if (call.hook === 'SessionStart' && call.input.source === 'compact') expected.push('prompt_id');
  expect(keys.sort(), call.hook).toEqual(expected.sort());
  if (call.hook === 'StatusLine') {
    const window = call.input.context_window as Record<string, unknown>;
    expect(Object.keys(window).sort()).toEqual([...CONTEXT_WINDOW_FIELDS].sort());
    expect(window.context_window_size).toBe(200_000);
    if (window.current_usage !== null) {
      expect(Object.keys(window.current_usage as object).sort()).toEqual([...CURRENT_USAGE_FIELDS].sort());
    }
    expect(Object.keys(call.input.cost as object).sort()).toEqual([...COST_FIELDS].sort());
  } else {
    expect(call.input.hook_event_name).toBe(call.hook);
  }
}

describe('a whole session with the default script', () => {
  test('hooks in Claude Code order and shape, a real commit, flux done, idle, SessionEnd on SIGTERM', async () => {
    const run = await startSim({ script: defaultSimScript(STAGE), prompt: '# Flux stage stage-1: Models\n' });
    await run.waitForOutput(IDLE_BOX);

    const hooks = await run.hooks();
    expect(hookNames(hooks, true)).toEqual([
      'SessionStart',
      'StatusLine',
      'UserPromptSubmit',
      'StatusLine',
      'Stop',
      'UserPromptSubmit',
      'StatusLine',
      'Stop',
      'UserPromptSubmit',
      'StatusLine',
      'Stop',
    ]);
    for (const call of hooks) expectClaudeShape(call);
    const [start, firstStatus, prompt] = hooks;
    expect(start!.input).toMatchObject({ source: 'startup', cwd: run.repo.root });
    const sessionId = start!.input.session_id as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(hooks.every((h) => h.input.session_id === sessionId && h.input.cwd === run.repo.root)).toBe(true);
    expect(start!.input.transcript_path).toBe(
      path.join(run.workDir, 'agents', run.session, `${sessionId}.jsonl`),
    );
    expect(firstStatus!.input).not.toHaveProperty('prompt_id');
    expect(prompt!.input.prompt).toBe('# Flux stage stage-1: Models\n');
    expect(usedPercent(hooks)).toEqual([null, 12, 25, 38]);
    const last = hooks.filter((h) => h.hook === 'StatusLine').at(-1)!.input.context_window;
    expect(last).toMatchObject({
      // A running total over the session's answers: 24k + 50k + 76k.
      total_input_tokens: 150_000,
      current_usage: { input_tokens: 76_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      remaining_percentage: 62,
    });
    expect(stops(hooks).map((s) => s.stop_hook_active)).toEqual([false, false, false]);
    expect(stops(hooks)[2]!.last_assistant_message).toBe(defaultSimScript(STAGE).turns[2]!.say);
    expect(
      hooks
        .filter((h) => h.hook === 'UserPromptSubmit')
        .map((h) => h.input.prompt)
        .slice(1),
    ).toEqual(['continue', 'continue']);

    const calls = await run.calls();
    const done = calls.find((call) => call.argv[0] === 'done');
    expect(done).toMatchObject({
      cwd: run.repo.root,
      env: { FLUX_SESSION: run.session, FLUX_STAGE: 'stage-1', FLUX_WORK_DIR: run.workDir },
    });
    expect(await run.repo.git(['log', '--format=%s', '-1'])).toBe('stage-1: Models');
    expect(await run.repo.git(['show', '--name-only', '--format=', 'HEAD'])).toBe('src/models/stage-1.rs');
    expect(await run.repo.git(['status', '--porcelain'])).toBe('');
    const transcript = await readFile(start!.input.transcript_path as string, 'utf8');
    expect(transcript.split('\n').filter((line) => line.includes('"type":"assistant"'))).toHaveLength(3);

    // Idle: alive, and nothing more is called until it is told to end.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await run.hooks()).length).toBe(hooks.length);
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ exitCode: 0, signal: undefined });
    const end = (await run.hooks()).at(-1)!;
    expect(end.hook).toBe('SessionEnd');
    expectClaudeShape(end);
    expect(end.input.reason).toBe('other');
    expect(run.output()).toContain('⏺ Bash(git add -A && git commit -m "stage-1: Models")');
  });
});

describe('Stop answers', () => {
  const script = {
    turns: [
      { say: 'one', context: 20, actions: [{ write: { path: 'a.txt', content: 'a\n' } }] },
      { say: 'two', context: 40, actions: [{ commit: 'add a' }] },
      { say: 'three', context: 60, actions: [{ flux: ['done'] }] },
    ],
  };

  test('a block that is not a handoff is the next instruction: the next turn runs with stop_hook_active', async () => {
    const run = await startSim({
      script,
      answers: {
        Stop: [block('Run `flux done` before you stop.'), { stderr: 'acceptance failed', exitCode: 2 }],
      },
    });
    await run.waitForOutput(IDLE_BOX);
    const hooks = await run.hooks();
    expect(hookNames(hooks)).toEqual(['SessionStart', 'UserPromptSubmit', 'Stop', 'Stop', 'Stop']);
    expect(stops(hooks).map((s) => s.stop_hook_active)).toEqual([false, true, true]);
    expect(stops(hooks).map((s) => s.last_assistant_message)).toEqual(['one', 'two', 'three']);
    expect(run.output()).toContain('Stop hook feedback: acceptance failed');
  });

  test('a handoff request: the named document with the resume marker, flux handoff, Stop again, idle', async () => {
    const reason =
      'Context is at 78%. Write .work/handoffs/stage-1-handoff-001.md with a summary, what is done, what remains and your decisions, then run `flux handoff` and stop.';
    const run = await startSim({ script, answers: { Stop: [{}, block(reason)] } });
    await run.waitForOutput(IDLE_BOX);
    const hooks = await run.hooks();
    expect(hookNames(hooks)).toEqual([
      'SessionStart',
      'UserPromptSubmit',
      'Stop',
      'UserPromptSubmit',
      'Stop',
      'Stop',
    ]);
    expect(stops(hooks).map((s) => s.stop_hook_active)).toEqual([false, false, true]);
    const calls = await run.calls();
    expect(calls.filter((c) => c.argv[0] !== 'hook').map((c) => c.argv)).toEqual([['handoff']]);

    const handoff = await readFile(path.join(run.workDir, 'handoffs', 'stage-1-handoff-001.md'), 'utf8');
    expect(handoff).toMatch(/^# Handoff: stage stage-1\n/);
    expect(handoff).toContain('- Committed: add a');
    expect(handoff).toContain('- Turn 2: three');
    expect(handoff).toContain('40% context');
    expect(handoff.trimEnd().split('\n').at(-1)).toBe('sim-resume-turn: 2');

    run.kill('SIGHUP');
    expect((await run.exited).exitCode).toBe(0);
    expect(hookNames(await run.hooks()).at(-1)).toBe('SessionEnd');
  });

  test('continue: false stops the agent where it is', async () => {
    const run = await startSim({
      script,
      answers: { Stop: [{ stdout: { continue: false, stopReason: 'reset' } }] },
    });
    await run.waitForOutput(IDLE_BOX);
    expect(hookNames(await run.hooks())).toEqual(['SessionStart', 'UserPromptSubmit', 'Stop']);
    expect(existsSync(path.join(run.repo.root, 'a.txt'))).toBe(true);
    expect(await run.repo.git(['log', '--format=%s', '-1'])).toBe('initial commit');
  });

  test('Claude Code gives up on a Stop hook after 8 blocks in a row', async () => {
    const run = await startSim({
      script: { turns: [{ say: 'only', context: 10 }] },
      answers: { Stop: [{ ...block('keep going'), sticky: true }] },
    });
    await run.waitForOutput(IDLE_BOX);
    expect(stops(await run.hooks()).map((s) => s.stop_hook_active)).toEqual([
      false,
      ...Array<boolean>(7).fill(true),
    ]);
  });

  test('failing hooks are reported and ignored', async () => {
    const run = await startSim({
      script,
      answers: {
        SessionStart: [{ stderr: 'hook crashed', exitCode: 1 }],
        Stop: [{ stdout: 'not json', sticky: true }],
      },
    });
    await run.waitForOutput(IDLE_BOX);
    expect(count('Stop')(await run.hooks())).toBe(3);
    expect(run.output()).toContain('SessionStart hook error: exit code 1: hook crashed');
  });
});

describe('resuming from a handoff', () => {
  test('a prompt with the marker starts at that turn', async () => {
    const script = {
      turns: [
        { say: 'zero', context: 10 },
        { say: 'one', context: 20 },
        { say: 'two', context: 15 },
      ],
    };
    const prompt =
      '# Flux stage stage-1\n\n## Continue from the handoff\n\n## Remaining\n\nsim-resume-turn: 2\n';
    const run = await startSim({ script, prompt });
    await run.waitForOutput(IDLE_BOX);
    const hooks = await run.hooks();
    expect(stops(hooks).map((s) => s.last_assistant_message)).toEqual(['two']);
    expect(usedPercent(hooks)).toEqual([null, 15]);
  });

  test('past the end of the script it still answers once, then idles', async () => {
    const run = await startSim({ script: { turns: [{ say: 'zero' }] }, prompt: 'sim-resume-turn: 5\n' });
    await run.waitForOutput(IDLE_BOX);
    expect(stops(await run.hooks()).map((s) => s.last_assistant_message)).toEqual([
      'Nothing is left in my script for this stage.',
    ]);
  });
});

describe('automatic compaction', () => {
  test('past 83% the next turn starts with PreCompact, then a compacted session', async () => {
    const script = {
      turns: [
        { say: 'big', context: 85 },
        { say: 'after', context: 20 },
      ],
    };
    const run = await startSim({ script });
    await run.waitForOutput(IDLE_BOX);
    const hooks = await run.hooks();
    expect(hookNames(hooks)).toEqual([
      'SessionStart',
      'UserPromptSubmit',
      'Stop',
      'UserPromptSubmit',
      'PreCompact',
      'SessionStart',
      'Stop',
    ]);
    for (const call of hooks) expectClaudeShape(call);
    expect(hooks.find((h) => h.hook === 'PreCompact')!.input).toMatchObject({ trigger: 'auto' });
    expect(hooks.filter((h) => h.hook === 'SessionStart').map((h) => h.input.source)).toEqual([
      'startup',
      'compact',
    ]);
    expect(usedPercent(hooks)).toEqual([null, 85, 20]);
  });

  test('a PreCompact block naming a handoff hands off before the turn', async () => {
    const script = {
      turns: [
        { say: 'big', context: 85 },
        { say: 'after', context: 20 },
      ],
    };
    const run = await startSim({
      script,
      answers: { PreCompact: [block('Write .work/handoffs/stage-1-handoff-002.md and run flux handoff.')] },
    });
    await run.waitForOutput(IDLE_BOX);
    const handoff = await readFile(path.join(run.workDir, 'handoffs', 'stage-1-handoff-002.md'), 'utf8');
    expect(handoff).toContain('sim-resume-turn: 1');
    expect(stops(await run.hooks()).map((s) => s.stop_hook_active)).toEqual([false, true]);
  });
});

describe('permission prompts', () => {
  const script = {
    turns: [
      {
        say: 'fetching',
        context: 10,
        actions: [
          { permission: { tool: 'Bash', input: { command: 'curl example.invalid' } } },
          { run: 'echo after' },
        ],
      },
    ],
  };

  test('PermissionRequest, a permission_prompt Notification, then a wait for the answer file', async () => {
    const run = await startSim({ script });
    const seen = await run.waitForHooks(
      (hooks) => count('Notification')(hooks) === 1,
      'the Notification hook',
    );
    const request = seen.find((h) => h.hook === 'PermissionRequest')!;
    expectClaudeShape(request);
    expect(request.input).toMatchObject({
      tool_name: 'Bash',
      tool_input: { command: 'curl example.invalid' },
      permission_suggestions: [
        {
          type: 'addRules',
          rules: [{ toolName: 'Bash', ruleContent: 'curl example.invalid' }],
          behavior: 'allow',
        },
      ],
    });
    const notification = seen.at(-1)!;
    expectClaudeShape(notification);
    expect(notification.input).toMatchObject({ notification_type: 'permission_prompt' });

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(count('Stop')(await run.hooks())).toBe(0);
    const answerFile = path.join(run.workDir, 'agents', run.session, 'permission-answer');
    await writeFile(answerFile, 'allow\n');
    await run.waitForOutput(IDLE_BOX);
    expect(existsSync(answerFile)).toBe(false);
    expect(run.output()).toContain('Permission granted');
    expect(run.output()).toContain('⎿  after');
    expect(count('Stop')(await run.hooks())).toBe(1);
  });

  test("a PermissionRequest hook's decision answers at once", async () => {
    const deny = {
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny' } },
    };
    const run = await startSim({ script, answers: { PermissionRequest: [{ stdout: deny }] } });
    await run.waitForOutput(IDLE_BOX);
    expect(hookNames(await run.hooks())).toEqual([
      'SessionStart',
      'UserPromptSubmit',
      'PermissionRequest',
      'Stop',
    ]);
    expect(run.output()).toContain('Permission denied by the PermissionRequest hook');
  });
});

describe('ending', () => {
  test('crash exits at once with a non-zero code and no SessionEnd', async () => {
    const run = await startSim({
      script: {
        turns: [{ say: 'about to die', actions: [{ write: { path: 'x', content: '' } }, { crash: true }] }],
      },
    });
    expect((await run.exited).exitCode).toBe(1);
    expect(hookNames(await run.hooks())).toEqual(['SessionStart', 'UserPromptSubmit']);
    const withCode = await startSim({ script: { turns: [{ actions: [{ crash: 137 }] }] } });
    expect((await withCode.exited).exitCode).toBe(137);
  });

  test('exit ends the session normally with its code', async () => {
    const run = await startSim({ script: { turns: [{ say: 'bye', actions: [{ exit: 3 }] }] } });
    expect((await run.exited).exitCode).toBe(3);
    const end = (await run.hooks()).at(-1)!;
    expect(end).toMatchObject({ hook: 'SessionEnd', input: { reason: 'prompt_input_exit' } });
  });

  test('Ctrl+C (SIGINT) during a turn ends it with SessionEnd prompt_input_exit', async () => {
    const run = await startSim({ script: { turns: [{ say: 'waiting', actions: [{ sleep: 60_000 }] }] } });
    await run.waitForOutput('⏺ waiting');
    run.kill('SIGINT');
    expect((await run.exited).exitCode).toBe(0);
    expect(hookNames(await run.hooks())).toEqual(['SessionStart', 'UserPromptSubmit', 'SessionEnd']);
    expect((await run.hooks()).at(-1)!.input.reason).toBe('prompt_input_exit');
  });
});
