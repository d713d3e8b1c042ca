// The rig itself, proven against the real `claude`: a scripted tool call runs
// and commits, hooks fire in a known order with known shapes, the status line
// reports the scripted context usage, a Stop hook can keep claude working, and
// without a TTY claude falls back to print mode.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { createClaudeEnv } from './claude-env.js';
import { CLAUDE_BIN, queueHookAnswers, sleep, waitFor } from './claude-session.js';
import { bash, lastUserText, say, startModelServer } from './model-server.js';
import { DEFAULT_ARGS, openRig, skipReason, usage } from './rig.js';
import { createTempRepo } from './temp-repo.js';
import { Tmux } from './tmux.js';

const reason = skipReason();
if (reason) console.warn(`[e2e] skipping the claude e2e suite: ${reason}`);

const tmux = new Tmux();
afterAll(() => tmux.killServer());

describe.skipIf(reason !== undefined)('rig: real claude in tmux against the scripted model server', () => {
  test('a scripted Bash tool_use commits; hooks fire in order; status line shows 150000/200000 as 75%', async () => {
    const rig = await openRig({
      tmux,
      name: 'commit',
      scenario: [
        {
          tools: [
            bash('echo hello > hello.txt && git add hello.txt && git commit -q -m "add hello"', 'commit'),
          ],
          usage: usage(150_000),
        },
        say('committed', usage(150_000)),
      ],
    });
    try {
      const { session, server, repo } = rig;
      const stop = await session.waitForHook('Stop');
      expect(repo.git('log', '-1', '--format=%s').trim()).toBe('add hello');
      expect(session.hookOrder()).toEqual([
        'SessionStart',
        'UserPromptSubmit',
        'PreToolUse',
        'PostToolUse',
        'Stop',
      ]);

      const [start] = session.records('SessionStart');
      expect(start!.input).toMatchObject({ hook_event_name: 'SessionStart', source: 'startup' });
      expect(session.records('UserPromptSubmit')[0]!.input.prompt).toBe('Scripted task for commit');
      expect(session.records('PreToolUse')[0]!.input).toMatchObject({
        tool_name: 'Bash',
        permission_mode: 'acceptEdits',
        tool_input: { command: expect.stringContaining('git commit') },
      });
      expect(session.records('PostToolUse')[0]!.input).toMatchObject({
        tool_response: { interrupted: false },
      });
      expect(stop.input).toMatchObject({ stop_hook_active: false, last_assistant_message: 'committed' });

      // Status line: null before the first answer, then the scripted usage.
      const status = await waitFor(
        () => session.records('statusLine').find((r) => used(r.input) === 75),
        'status line at 75%',
      );
      expect(session.records('statusLine')[0]!.input).toMatchObject({
        context_window: { used_percentage: null },
      });
      expect(status.input).toMatchObject({
        model: { id: 'claude-sonnet-4-5' },
        context_window: {
          context_window_size: 200_000,
          current_usage: { input_tokens: 150_000 },
          remaining_percentage: 25,
        },
      });

      // Two main requests (the tool call, then its result). Side requests (2.1.197: a
      // session-title request) carry no tools and never consume the script.
      expect(server.mainRequests()).toHaveLength(2);
      const toolResult = server.mainRequests()[1]!.messages.at(-1)!;
      expect(JSON.stringify(toolResult.content)).toContain('tool_result');

      const firstMain = server.requests.find((r) => r.kind === 'main')!;
      console.info(
        `[e2e] startup: SessionStart after ${start!.at - session.startedAt} ms, ` +
          `first model request after ${firstMain.at - session.startedAt} ms, ` +
          `Stop after ${stop.at - session.startedAt} ms`,
      );
      expect(start!.at - session.startedAt).toBeLessThan(20_000);
    } finally {
      await rig.close();
    }
  });

  test('status line: called at start and after answers; refreshInterval adds timed calls', async () => {
    const rig = await openRig({
      tmux,
      name: 'statusline',
      scenario: [say('hi', usage(50_000))],
      env: { statusRefresh: 1 },
    });
    try {
      const stop = await rig.session.waitForHook('Stop');
      // refreshInterval 1 s: timed calls keep coming after the answer (waited for, not slept for).
      const deadline = Date.now() + 30_000;
      const afterStop = () => rig.session.records('statusLine').filter((r) => r.at > stop.at);
      while (afterStop().length < 3 && Date.now() < deadline) await sleep(100);
      const after = afterStop();
      expect(after.length).toBeGreaterThanOrEqual(3);
      // A call already under way when the answer came may still show the figure before it;
      // from then on every call shows the answer's usage.
      expect(after.slice(1).every((r) => used(r.input) === 25)).toBe(true);
    } finally {
      await rig.close();
    }
  });

  test('Stop hook {"decision":"block"} makes claude continue with the reason as the next user message', async () => {
    const rig = await openRig({
      tmux,
      name: 'stopblock',
      scenario: [say('first stop'), (req) => say(`continuing after: ${lastUserText(req)}`)],
      before: ({ env }) =>
        queueHookAnswers(env, 'Stop', [
          { stdout: { decision: 'block', reason: 'FLUX: write the handoff now' } },
        ]),
    });
    try {
      const second = await rig.session.waitForHook(
        'Stop',
        'the Stop after the block',
        30_000,
        (r) => r.input.stop_hook_active === true,
      );
      const [, next] = rig.server.mainRequests();
      // 2.1.197 sends exactly this; later versions put a system-reminder before it.
      expect(lastUserText(next!)).toMatch(/Stop hook feedback:\nFLUX: write the handoff now$/);
      expect(second.input.last_assistant_message).toContain('FLUX: write the handoff now');
      expect(rig.session.screen()).toMatch(/stop hook[\s\S]*FLUX: write the handoff now/i);
    } finally {
      await rig.close();
    }
  });

  test('without a TTY, `claude "prompt"` runs in print mode: prints the answer and exits', async () => {
    const repo = createTempRepo();
    const server = await startModelServer([say('printed answer')]);
    const env = createClaudeEnv({ baseUrl: server.url, projectDirs: [repo.dir] });
    try {
      const started = Date.now();
      const result = await run(CLAUDE_BIN, ['--settings', env.settingsPath, ...DEFAULT_ARGS, '--', 'hi'], {
        cwd: repo.dir,
        env: env.env,
        timeoutMs: 30_000,
      });
      expect(result).toMatchObject({ code: 0, stdout: 'printed answer\n' });
      console.info(`[e2e] print mode round trip: ${Date.now() - started} ms`);
    } finally {
      await server.close();
      env.cleanup();
      repo.cleanup();
    }
  });
});

function used(input: Record<string, unknown>): unknown {
  return (input.context_window as { used_percentage?: unknown } | undefined)?.used_percentage;
}

/** Async on purpose: a sync spawn would block the in-process model server. */
function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
