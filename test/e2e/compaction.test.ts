// Compaction and the PreCompact hook. 2.1.197 compacts a 200k-window model in
// two ways: proactively at the start of a turn once usage passes the threshold
// (only when an auto-compact window is configured: the setting
// "autoCompactWindow" or the environment variable CLAUDE_CODE_AUTO_COMPACT_WINDOW),
// and reactively when the API answers "prompt is too long". Both run PreCompact
// with trigger "auto".
import { afterAll, describe, expect, test } from 'vitest';
import { queueHookAnswers, sleep } from './claude-session.js';
import { bash, COMPACT_SUMMARY, promptTooLong, say, type ScriptStep } from './model-server.js';
import { openRig, skipReason, usage, type Rig, type RigOptions } from './rig.js';
import { Tmux } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.killServer());

const AUTO_WINDOW = { CLAUDE_CODE_AUTO_COMPACT_WINDOW: '200000' };

/** Two tool rounds (compaction needs some history), then a final answer at `lastUsage`. */
const history = (lastUsage: number, ...rest: ScriptStep[]): ScriptStep[] => [
  { tools: [bash('git status', 'status')], usage: usage(50_000) },
  { tools: [bash('git log --oneline', 'log')], usage: usage(100_000) },
  say('first answer', usage(lastUsage)),
  ...rest,
  say('second answer', usage(1_000)),
];

async function withRig(opts: Omit<RigOptions, 'tmux'>, body: (rig: Rig) => Promise<void>) {
  const rig = await openRig({ tmux, ...opts });
  try {
    await rig.session.waitForHook('Stop');
    await body(rig);
  } finally {
    await rig.close();
  }
}

const compactRequests = (rig: Rig) => rig.server.requests.filter((r) => r.kind === 'compact');

describe.skipIf(skipReason() !== undefined)('compaction and PreCompact', () => {
  test('proactive: over the threshold, the next prompt runs PreCompact(auto), compacts, then SessionStart(compact) and PostCompact', async () => {
    await withRig(
      { name: 'compact-auto', scenario: history(170_000), env: { settings: { autoCompactWindow: 200_000 } } },
      async (rig) => {
        const { session } = rig;
        await session.submit('next please');
        const post = await session.waitForHook('PostCompact');
        await session.waitForHook('Stop', 'second Stop', 30_000, (r) => r.at > post.at);

        expect(session.records('PreCompact')[0]!.input).toMatchObject({
          trigger: 'auto',
          custom_instructions: null,
        });
        expect(post.input).toMatchObject({ trigger: 'auto', compact_summary: COMPACT_SUMMARY });
        expect(session.records('SessionStart').map((r) => r.input.source)).toEqual(['startup', 'compact']);
        expect(compactRequests(rig)).toHaveLength(1);
        // Order around the new prompt: prompt, PreCompact, SessionStart(compact), PostCompact, Stop.
        expect(session.hookOrder().slice(-5)).toEqual([
          'UserPromptSubmit',
          'PreCompact',
          'SessionStart',
          'PostCompact',
          'Stop',
        ]);
        // The request after compaction starts over from the summary: fewer messages.
        const main = rig.server.mainRequests();
        expect(main.at(-1)!.messages.length).toBeLessThan(main.at(-2)!.messages.length);
      },
    );
  });

  test('proactive: PreCompact answering {"decision":"block"} prevents the compaction; the turn goes on uncompacted', async () => {
    await withRig(
      {
        name: 'compact-block',
        scenario: history(170_000),
        env: { extraEnv: AUTO_WINDOW },
        before: ({ env }) =>
          queueHookAnswers(env, 'PreCompact', [
            { stdout: { decision: 'block', reason: 'FLUX: hand off first' }, sticky: true },
          ]),
      },
      async (rig) => {
        await rig.session.submit('next please');
        await rig.session.waitForHook(
          'Stop',
          'second Stop',
          30_000,
          (r) => r.input.last_assistant_message === 'second answer',
        );
        expect(rig.session.records('PreCompact')).toHaveLength(1);
        expect(compactRequests(rig)).toHaveLength(0);
        expect(rig.session.records('PostCompact')).toHaveLength(0);
        expect(rig.server.mainRequests().at(-1)!.messages).toHaveLength(7);
      },
    );
  });

  test('reactive: a "prompt is too long" answer runs PreCompact(auto), compacts and retries the request', async () => {
    await withRig({ name: 'compact-reactive', scenario: history(150_000, promptTooLong()) }, async (rig) => {
      await rig.session.submit('next please');
      await rig.session.waitForHook('PostCompact');
      await rig.session.waitForHook(
        'Stop',
        'second Stop',
        30_000,
        (r) => r.input.last_assistant_message === 'second answer',
      );
      expect(rig.session.records('PreCompact')[0]!.input.trigger).toBe('auto');
      expect(rig.server.requests.filter((r) => r.error)).toHaveLength(1);
      expect(compactRequests(rig)).toHaveLength(1);
    });
  });

  test('reactive, blocked by PreCompact exit 2: StopFailure(invalid_request) and claude waits', async () => {
    await withRig(
      {
        name: 'compact-reactive-block',
        scenario: history(150_000, promptTooLong()),
        before: ({ env }) =>
          queueHookAnswers(env, 'PreCompact', [
            { exitCode: 2, stderr: 'FLUX: hand off first', sticky: true },
          ]),
      },
      async (rig) => {
        await rig.session.submit('next please');
        const failure = await rig.session.waitForHook('StopFailure');
        expect(failure.input).toMatchObject({
          error: 'invalid_request',
          last_assistant_message: 'Prompt is too long',
        });
        expect(compactRequests(rig)).toHaveLength(0);
        await rig.session.waitForScreen(/Context limit reached/);
      },
    );
  });

  test('manual /compact runs PreCompact(manual); exit 2 blocks it and the screen says so', async () => {
    await withRig(
      {
        name: 'compact-manual',
        scenario: history(50_000),
        before: ({ env }) =>
          queueHookAnswers(env, 'PreCompact', [
            { exitCode: 2, stderr: 'FLUX: hand off first', sticky: true },
          ]),
      },
      async (rig) => {
        await rig.session.submit('/compact');
        const pre = await rig.session.waitForHook('PreCompact');
        expect(pre.input.trigger).toBe('manual');
        await rig.session.waitForScreen(/Compaction blocked by PreCompact hook: .*FLUX: hand off first/);
        await sleep(1_000);
        expect(compactRequests(rig)).toHaveLength(0);
      },
    );
  });
});
