/**
 * `flux hook <Name>` as the agents call it: the built binary, in a separate
 * process, with the session's environment (FLUX_SESSION, FLUX_WORK_DIR, the
 * threshold and reminder settings) and Claude-Code-shaped JSON on stdin, in a
 * workspace where `flux run --manual` started a session. What it prints is
 * the agent's answer; what it appends is the session's history. Whatever goes
 * wrong, it exits 0 and writes a line to .work/logs/hooks.log.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fluxWorkspace, planDocument, type FluxWorkspace, type LogEvent } from '../helpers/flux-run.js';
import { waitFor } from '../helpers/wait.js';

const STAGE = 'models';
const SESSION = `${STAGE}.s1`;
const plan = planDocument(
  'Hooks',
  `    - id: ${STAGE}
      name: "Data Models"
      dependencies: []
      acceptance:
        - "true"
      files:
        - "src/models/*.rs"
    - id: api
      name: "API"
      dependencies: []
      acceptance:
        - "true"
      files:
        - "src/api/*.rs"`,
);

interface HookResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The hook was killed after `timeoutMs`. */
  timedOut: boolean;
  /** Events the call appended to the log (without envelope fields). */
  appended: Array<Record<string, unknown>>;
}

describe('flux hook, the built binary', () => {
  let ws: FluxWorkspace;
  let worktree: string;
  /** The agent session id Flux chose for a session and recorded (claude `--session-id`); its hooks carry it. */
  const claudeSession = (session = SESSION): string => {
    const started = ws.events().find((e) => e.type === 'session.started' && e.session === session);
    return (started?.agent_session_id as string | undefined) ?? randomUUID();
  };
  const hooksLog = (): string => {
    const file = path.join(ws.root, '.work', 'logs', 'hooks.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };

  /** What Claude Code sends every hook: identity, then the event's own fields. */
  function payload(name: string, fields: Record<string, unknown>, session = SESSION): string {
    return JSON.stringify({
      session_id: claudeSession(session),
      transcript_path: path.join(ws.root, '.work', 'agents', session, `${claudeSession(session)}.jsonl`),
      cwd: worktree,
      ...(name === 'StatusLine' ? {} : { hook_event_name: name, permission_mode: 'acceptEdits' }),
      ...fields,
    });
  }

  function statusLine(percent: number | null): string {
    return payload('StatusLine', {
      model: { id: 'claude-opus-4', display_name: 'Opus' },
      workspace: { current_dir: worktree, project_dir: worktree },
      version: '2.1.197',
      // Nothing spent: the cost's own events are test/hooks/budget.test.ts's.
      cost: { total_cost_usd: 0 },
      context_window: {
        total_input_tokens: percent === null ? 0 : percent * 2000,
        total_output_tokens: 5,
        context_window_size: 200000,
        current_usage: null,
        used_percentage: percent,
        remaining_percentage: percent === null ? null : 100 - percent,
      },
      exceeds_200k_tokens: false,
    });
  }

  /** Runs the hook through `entry` (main.js: `flux hook <Name>`; hook.js: what Claude's settings call). */
  async function hook(
    name: string,
    input: string,
    options: {
      env?: Record<string, string | undefined>;
      entry?: 'main' | 'hook';
      args?: string[];
      /** Done while the hook runs (it may be waiting for it). */
      meanwhile?: () => Promise<void>;
      /** Kill the hook after this long. */
      timeoutMs?: number;
    } = {},
  ): Promise<HookResult> {
    const before = ws.events().length;
    const argv =
      options.entry === 'hook'
        ? [path.join(path.dirname(ws.bin), 'hook.js'), name, ...(options.args ?? [])]
        : [ws.bin, 'hook', name, ...(options.args ?? [])];
    const env: Record<string, string> = {
      ...ws.env,
      FLUX_SESSION: SESSION,
      FLUX_STAGE: STAGE,
      FLUX_WORK_DIR: path.join(ws.root, '.work'),
      FLUX_COMMAND: JSON.stringify([process.execPath, ws.bin]),
      CLAUDE_PROJECT_DIR: worktree,
    };
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const running = execa(process.execPath, argv, {
      cwd: worktree,
      env,
      extendEnv: false,
      input,
      reject: false,
      stripFinalNewline: false,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    });
    await options.meanwhile?.();
    const result = await running;
    const appended = ws
      .events()
      .slice(before)
      .map(({ v: _v, seq: _seq, at: _at, ...rest }: LogEvent) => rest);
    return {
      exitCode: result.exitCode ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      timedOut: result.timedOut,
      appended,
    };
  }

  beforeAll(async () => {
    ws = await fluxWorkspace({ plan });
    const manual = await ws.flux(['run', '--manual']);
    expect(manual.exitCode, manual.stderr).toBe(0);
    worktree = path.join(ws.root, '.worktrees', STAGE);
    const started = ws.events().filter((e) => e.type === 'session.started');
    expect(started).toEqual([
      expect.objectContaining({ session: SESSION, tmux: '' }),
      expect.objectContaining({ session: 'api.s1', tmux: '' }),
    ]);
  });

  afterAll(async () => {
    await ws?.cleanup();
  });

  describe('a session, hook by hook', () => {
    it('SessionStart (startup): idle, no answer', async () => {
      const result = await hook('SessionStart', payload('SessionStart', { source: 'startup', model: 'x' }));
      expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
      expect(result.appended).toEqual([{ type: 'session.idle', session: SESSION }]);
    });

    it('StatusLine before the first answer (null): the status line, nothing recorded', async () => {
      const result = await hook('StatusLine', statusLine(null));
      expect(result.stdout).toBe(`flux ${STAGE} · running · idle\n`);
      expect(result.appended).toEqual([]);
    });

    it('UserPromptSubmit: working', async () => {
      const result = await hook('UserPromptSubmit', payload('UserPromptSubmit', { prompt: '# Flux stage…' }));
      expect(result).toMatchObject({ exitCode: 0, stdout: '' });
      expect(result.appended).toEqual([{ type: 'session.working', session: SESSION }]);
    });

    it('StatusLine 30%: recorded once, shown every time', async () => {
      const first = await hook('StatusLine', statusLine(30));
      expect(first.stdout).toBe(`flux ${STAGE} · running · working · context 30%\n`);
      expect(first.appended).toEqual([
        { type: 'session.context', session: SESSION, percent: 30, window: 200000 },
      ]);
      const again = await hook('StatusLine', statusLine(30));
      expect(again.stdout).toBe(first.stdout);
      expect(again.appended).toEqual([]);
    });

    it('the same through hook.js, the entry Claude Code settings call', async () => {
      const result = await hook('StatusLine', statusLine(31), { entry: 'hook' });
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      expect(result.stdout).toBe(`flux ${STAGE} · running · working · context 31%\n`);
      expect(result.appended).toEqual([
        { type: 'session.context', session: SESSION, percent: 31, window: 200000 },
      ]);
    });

    it('Stop below the threshold: a reminder to finish (block), counted', async () => {
      const result = await hook(
        'Stop',
        payload('Stop', {
          stop_hook_active: false,
          last_assistant_message: 'I wrote the models.',
          background_tasks: [],
          session_crons: [],
        }),
        { env: { FLUX_STOP_REMINDERS: '1' } },
      );
      expect(result.exitCode).toBe(0);
      const answer = JSON.parse(result.stdout) as { decision: string; reason: string };
      expect(answer.decision).toBe('block');
      expect(answer.reason).toMatch(/flux done/);
      expect(result.appended).toContainEqual({ type: 'session.reminded', session: SESSION });
    });

    it('Stop again with FLUX_STOP_REMINDERS=1: no more reminders, no answer', async () => {
      const result = await hook('Stop', payload('Stop', { stop_hook_active: true }), {
        env: { FLUX_STOP_REMINDERS: '1' },
      });
      expect(result).toMatchObject({ exitCode: 0, stdout: '' });
      expect(result.appended.filter((e) => e.type === 'session.reminded')).toEqual([]);
    });

    it('PermissionRequest with no answer from a person: waiting_permission with the tool and a one-line detail, no answer', async () => {
      const result = await hook(
        'PermissionRequest',
        payload('PermissionRequest', {
          tool_name: 'Bash',
          tool_input: { command: 'curl -s https://example.invalid/schema.json', description: 'Fetch' },
          permission_suggestions: [],
        }),
        // How long it waits for `flux approve` / `flux deny` before leaving the question to the pane.
        { env: { FLUX_PERMISSION_WAIT: '1' } },
      );
      expect(result).toMatchObject({ exitCode: 0, stdout: '' });
      expect(result.appended).toEqual([
        {
          type: 'session.waiting_permission',
          session: SESSION,
          tool: 'Bash',
          detail: 'curl -s https://example.invalid/schema.json',
        },
      ]);
    });

    it('PostToolUse after the question was answered in the pane: working again', async () => {
      const result = await hook('PostToolUse', payload('PostToolUse', { tool_name: 'Bash' }));
      expect(result).toMatchObject({ exitCode: 0, stdout: '' });
      expect(result.appended).toEqual([{ type: 'session.working', session: SESSION }]);
    });

    it.each([
      [
        ['approve', STAGE],
        /^Allowed Bash: npm install left-pad\.\n$/,
        { behavior: 'allow' },
        { decision: 'allow' },
      ],
      [
        ['deny', STAGE, '--reason', 'no new dependencies'],
        /^Denied Bash: npm install left-pad \(no new dependencies\)\.\n$/,
        { behavior: 'deny', message: 'no new dependencies' },
        { decision: 'deny', reason: 'no new dependencies' },
      ],
    ])(
      'PermissionRequest answered with `flux %s`: the hook waits for it and passes it to Claude Code',
      async (command, said, verdict, recorded) => {
        let answered = '';
        const result = await hook(
          'PermissionRequest',
          payload('PermissionRequest', {
            tool_name: 'Bash',
            tool_input: { command: 'npm install left-pad' },
          }),
          {
            env: { FLUX_PERMISSION_WAIT: '30' },
            timeoutMs: 20_000,
            meanwhile: async () => {
              await waitFor(
                () => (ws.events().at(-1)?.type === 'session.waiting_permission' ? true : undefined),
                {
                  timeoutMs: 10_000,
                  what: 'the waiting_permission event',
                },
              );
              const person = await ws.flux(command);
              expect(person.exitCode, person.stderr).toBe(0);
              answered = person.stdout;
            },
          },
        );
        expect(answered).toMatch(said);
        expect(result).toMatchObject({ exitCode: 0, timedOut: false, stderr: '' });
        expect(JSON.parse(result.stdout)).toEqual({
          hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: verdict },
        });
        expect(result.appended).toEqual([
          {
            type: 'session.waiting_permission',
            session: SESSION,
            tool: 'Bash',
            detail: 'npm install left-pad',
          },
          { type: 'session.permission_answered', session: SESSION, ...recorded, by: 'human' },
        ]);
      },
    );

    it('Stop over FLUX_HANDOFF_THRESHOLD: handing off, the block names the handoff document', async () => {
      await hook('UserPromptSubmit', payload('UserPromptSubmit', { prompt: 'go on' }));
      expect((await hook('StatusLine', statusLine(60))).appended).toEqual([
        { type: 'session.context', session: SESSION, percent: 60, window: 200000 },
      ]);
      const result = await hook('Stop', payload('Stop', { stop_hook_active: false }), {
        env: { FLUX_HANDOFF_THRESHOLD: '50' },
      });
      expect(result.exitCode).toBe(0);
      const answer = JSON.parse(result.stdout) as { decision: string; reason: string };
      expect(answer.decision).toBe('block');
      expect(answer.reason).toContain(`.work/handoffs/${STAGE}-handoff-001.md`);
      expect(answer.reason).toContain('flux handoff');
      expect(result.appended).toEqual([
        { type: 'session.handing_off', session: SESSION, trigger: 'threshold' },
      ]);
    });

    it('PreCompact (auto) while handing off: blocked again, nothing new recorded', async () => {
      const result = await hook(
        'PreCompact',
        payload('PreCompact', { trigger: 'auto', custom_instructions: '' }),
      );
      expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'block' });
      expect(result.appended).toEqual([]);
    });

    it('SessionEnd: ended, with the reason', async () => {
      const result = await hook('SessionEnd', payload('SessionEnd', { reason: 'other' }));
      expect(result).toMatchObject({ exitCode: 0, stdout: '' });
      expect(result.appended).toEqual([
        { type: 'session.ended', session: SESSION, reason: 'agent exited (other)' },
      ]);
    });

    it('after the end: every hook does nothing and answers nothing', async () => {
      for (const [name, input] of [
        ['StatusLine', statusLine(90)],
        ['Stop', payload('Stop', { stop_hook_active: false })],
        ['UserPromptSubmit', payload('UserPromptSubmit', { prompt: 'x' })],
      ] as const) {
        const result = await hook(name, input);
        expect(result, name).toMatchObject({ exitCode: 0, stdout: '', appended: [] });
      }
    });
  });

  describe('settings from the environment: 0 turns a setting off', () => {
    // `run.stop_reminders = 0`: no reminders.
    it('FLUX_STOP_REMINDERS=0 (stop_reminders = 0): a Stop is never answered with a reminder', async () => {
      const result = await hook('Stop', payload('Stop', { stop_hook_active: false }, 'api.s1'), {
        env: { FLUX_SESSION: 'api.s1', FLUX_STAGE: 'api', FLUX_STOP_REMINDERS: '0' },
      });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.appended).toEqual([{ type: 'session.idle', session: 'api.s1' }]);
    });

    // `run.permission_wait = 0`: every question is left to Claude Code's own dialog at once.
    it('FLUX_PERMISSION_WAIT=0: the PermissionRequest hook does not wait', async () => {
      const result = await hook(
        'PermissionRequest',
        payload(
          'PermissionRequest',
          {
            tool_name: 'WebFetch',
            tool_input: { url: 'https://example.invalid' },
          },
          'api.s1',
        ),
        { env: { FLUX_SESSION: 'api.s1', FLUX_STAGE: 'api', FLUX_PERMISSION_WAIT: '0' }, timeoutMs: 3000 },
      );
      expect(result.timedOut).toBe(false);
      expect(result).toMatchObject({ exitCode: 0, stdout: '' });
      expect(result.appended).toEqual([
        {
          type: 'session.waiting_permission',
          session: 'api.s1',
          tool: 'WebFetch',
          detail: 'https://example.invalid',
        },
      ]);
    });
  });

  describe("AgentExit: the pane's wrapper reports the agent's exit status", () => {
    const asApi = { env: { FLUX_SESSION: 'api.s1', FLUX_STAGE: 'api' }, entry: 'hook' as const };

    it('killed by a signal (status 128 + n): crashed, naming the signal', async () => {
      const result = await hook('AgentExit', '', { ...asApi, args: ['137'] });
      expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
      expect(result.appended).toEqual([
        { type: 'session.crashed', session: 'api.s1', reason: 'the agent was killed by signal 9' },
      ]);
    });

    it('a session already over: nothing more', async () => {
      const result = await hook('AgentExit', '', { ...asApi, args: ['0'] });
      expect(result).toMatchObject({ exitCode: 0, stdout: '', appended: [] });
    });
  });

  describe('never in the way', () => {
    it.each([
      ['not JSON', 'Stop', '{"stop_hook_active": fals', /Stop: \w*Error: stdin is not JSON/],
      [
        'a wrong type',
        'Stop',
        '{"stop_hook_active":"yes"}',
        /Stop: \w*Error: stop_hook_active must be a boolean/,
      ],
      [
        'a bad context figure',
        'StatusLine',
        '{"context_window":{"used_percentage":"12%"}}',
        /StatusLine: \w*Error: context_window\.used_percentage must be a number or null/,
      ],
      ['an unknown hook', 'NoSuchHook', '{}', /NoSuchHook: Error: unknown hook 'NoSuchHook'/],
    ])(
      '%s: exit 0, no answer, nothing appended, an entry in .work/logs/hooks.log',
      async (_what, name, input, logged) => {
        const before = hooksLog();
        const result = await hook(name, input);
        expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: '', appended: [] });
        const added = hooksLog().slice(before.length);
        expect(added).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${SESSION.replace('.', '\\.')} `));
        expect(added).toMatch(logged);
      },
    );

    it('without FLUX_SESSION (settings used outside Flux): exit 0, nothing printed, appended or logged', async () => {
      const before = hooksLog();
      for (const input of [statusLine(50), 'not json']) {
        const result = await hook('StatusLine', input, { env: { FLUX_SESSION: undefined } });
        expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: '', appended: [] });
      }
      expect(hooksLog()).toBe(before);
    });

    it('for a session Flux does not know: exit 0, nothing printed or appended', async () => {
      const result = await hook('Stop', payload('Stop', { stop_hook_active: false }), {
        env: { FLUX_SESSION: 'nobody.s1' },
      });
      expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: '', appended: [] });
    });
  });
});
