// How a tool call outside the allow-list is answered under --permission-mode
// acceptEdits: the PermissionRequest hook (allow / deny / too slow), or keys
// sent to the on-screen dialog. The probe is a `curl` to the model server, so
// the server's log tells whether the command really ran.
import { afterAll, describe, expect, test } from 'vitest';
import { queueHookAnswers, sleep, waitFor } from './claude-session.js';
import { bash, lastToolResult, say, textOf, type ScriptStep } from './model-server.js';
import { openRig, skipReason, type Rig } from './rig.js';
import { Tmux } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.killServer());

const DIALOG = /Do you want to proceed\?/;

const allow = { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } };
const deny = {
  hookSpecificOutput: {
    hookEventName: 'PermissionRequest',
    decision: { behavior: 'deny', message: 'FLUX: not in this stage' },
  },
};

/** A Bash call that needs approval, then a turn that echoes the tool result. */
const probeScript: ScriptStep[] = [
  (_req, server) => ({ tools: [bash(`curl -s ${server.url}/probe`, 'probe the server')] }),
  (req) => say(`result: ${JSON.stringify(lastToolResult(req)?.content)}`),
];

const probed = (rig: Rig) => rig.server.requests.some((r) => r.path === '/probe');

async function withProbe(
  name: string,
  answers: Parameters<typeof queueHookAnswers>[2],
  body: (rig: Rig) => Promise<void>,
) {
  const rig = await openRig({
    tmux,
    name,
    scenario: probeScript,
    before: ({ env }) => answers.length && queueHookAnswers(env, 'PermissionRequest', answers),
  });
  try {
    await body(rig);
  } finally {
    await rig.close();
  }
}

describe.skipIf(skipReason() !== undefined)('permission requests (acceptEdits, Bash not allowed)', () => {
  test('the PermissionRequest hook fires at once with tool_name, tool_input and suggestions', async () => {
    await withProbe('perm-shape', [{ stdout: allow }], async (rig) => {
      const req = await rig.session.waitForHook('PermissionRequest');
      const pre = rig.session.records('PreToolUse')[0]!;
      expect(req.input).toMatchObject({
        hook_event_name: 'PermissionRequest',
        permission_mode: 'acceptEdits',
        tool_name: 'Bash',
        tool_input: { command: expect.stringMatching(/^curl -s http:\/\/127\.0\.0\.1:\d+\/probe$/) },
        permission_suggestions: [
          {
            type: 'addRules',
            behavior: 'allow',
            destination: 'localSettings',
            rules: [{ toolName: 'Bash' }],
          },
        ],
      });
      expect(req.at - pre.at).toBeLessThan(3_000);
    });
  });

  test('hook answer behavior "allow" runs the command without showing the dialog', async () => {
    await withProbe('perm-allow', [{ stdout: allow }], async (rig) => {
      await rig.session.waitForHook('Stop');
      expect(probed(rig)).toBe(true);
      expect(rig.session.screen()).toMatch(/Allowed by PermissionRequest hook/);
      expect(rig.session.records('Notification')).toHaveLength(0);
    });
  });

  test('hook answer behavior "deny" skips the command; the message is the tool_result (is_error) and claude goes on', async () => {
    await withProbe('perm-deny', [{ stdout: deny }], async (rig) => {
      await rig.session.waitForHook('Stop');
      expect(probed(rig)).toBe(false);
      const result = lastToolResult(rig.server.mainRequests()[1]!);
      expect(result?.is_error).toBe(true);
      // 2.1.197 sends the message alone; later versions append a system-reminder.
      expect(textOf(result?.content)).toMatch(/^FLUX: not in this stage/);
      expect(rig.session.screen()).toMatch(/Denied by PermissionRequest hook/);
    });
  });

  test('hook answering nothing: the dialog waits; a Notification permission_prompt follows; key "1" approves', async () => {
    await withProbe('perm-keys', [], async (rig) => {
      const screen = await rig.session.waitForScreen(DIALOG);
      expect(screen).toMatch(/1\. Yes/);
      expect(screen).toMatch(/3\. No/);
      const note = await rig.session.waitForHook('Notification', 'permission_prompt', 20_000);
      expect(note.input).toMatchObject({
        notification_type: 'permission_prompt',
        message: 'Claude needs your permission',
      });
      rig.session.sendKeys('1');
      await rig.session.waitForHook('Stop');
      expect(probed(rig)).toBe(true);
    });
  });

  test('Escape at the dialog interrupts the turn: no command, no Stop hook, no further model request', async () => {
    await withProbe('perm-escape', [], async (rig) => {
      await rig.session.waitForScreen(DIALOG);
      rig.session.sendKeys('Escape');
      await rig.session.waitForScreen(/Interrupted · What should Claude do instead\?/);
      await sleep(2_000);
      expect(probed(rig)).toBe(false);
      expect(rig.session.records('Stop')).toHaveLength(0);
      expect(rig.server.mainRequests()).toHaveLength(1);
    });
  });

  test('a slow hook races the dialog: the dialog shows meanwhile, and the later hook answer still wins', async () => {
    await withProbe('perm-slow', [{ stdout: allow, delayMs: 4_000 }], async (rig) => {
      const req = await rig.session.waitForHook('PermissionRequest');
      await rig.session.waitForScreen(DIALOG, 3_000);
      const post = await rig.session.waitForHook('PostToolUse');
      expect(post.at - req.at).toBeGreaterThanOrEqual(3_500);
      expect(probed(rig)).toBe(true);
    });
  });

  test('a hook past its timeout is dropped; the dialog stays for a human', async () => {
    const rig = await openRig({
      tmux,
      name: 'perm-timeout',
      scenario: probeScript,
      env: { hookTimeout: 2 },
      before: ({ env }) => queueHookAnswers(env, 'PermissionRequest', [{ stdout: allow, delayMs: 5_000 }]),
    });
    try {
      await rig.session.waitForHook('PermissionRequest');
      await sleep(7_000);
      expect(rig.session.screen()).toMatch(DIALOG);
      expect(probed(rig)).toBe(false);
      rig.session.sendKeys('1');
      await waitFor(() => probed(rig), 'the probe after key 1');
    } finally {
      await rig.close();
    }
  });
});
