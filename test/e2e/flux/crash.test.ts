// Scenario 4: the `claude` process is killed (kill -9). The sh line Flux runs
// it under reports the exit, so the session is recorded crashed within
// seconds, with or without a monitor. Without one, `flux resume` continues the
// stage in a fresh session told what the branch already has; with `flux run`
// watching, a crash is restarted on its own. The stage then completes and merges.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bash, say } from '../model-server.js';
import {
  declareDone,
  announceSkip,
  claudeSkipReason,
  commitFiles,
  conversation,
  firstPrompt,
  fluxE2E,
  planDocument,
  reactive,
  sessionMarker,
  sleep,
  type E2E,
} from './harness.js';

const STAGE = 'stage-crash';
const PLAN = planDocument(
  'Crashes',
  `    - id: ${STAGE}
      name: "Three parts"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f part1.txt"
        - "test -f part2.txt"
        - "test -f part3.txt"
      files:
        - "part*.txt"`,
);

/** Commits one part, then stops without `flux done` (answering the one reminder) and waits idle. */
const partial = (file: string, message: string) =>
  reactive((_req, ctx) => {
    if (ctx.n === 1) return { tools: commitFiles({ [file]: message }, message) };
    return say(ctx.n === 2 ? `${message}: committed.` : 'Waiting for the next part.');
  });

/** Commits one part, then runs a long command: the session is at work when it is killed. */
const busy = (file: string, message: string) =>
  reactive((_req, ctx) => {
    if (ctx.n === 1) return { tools: commitFiles({ [file]: message }, message) };
    if (ctx.n === 2) return { tools: [bash('sleep 60', 'wait for the build')] };
    return say('Done waiting.');
  });

const finisher = (file: string, message: string) =>
  reactive((req, ctx) => {
    if (ctx.n === 1) return { tools: commitFiles({ [file]: message }, message) };
    return declareDone(req, ctx);
  });

const reason = claudeSkipReason();
announceSkip('flux run with real claude (crash)', reason);

describe.skipIf(reason !== undefined)('flux run with real claude: kill -9 of claude', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      run: { stop_reminders: 1 },
      scenario: {
        routes: [
          { match: sessionMarker(`${STAGE}.s1`), script: partial('part1.txt', 'Add part one') },
          { match: sessionMarker(`${STAGE}.s2`), script: busy('part2.txt', 'Add part two') },
          { match: sessionMarker(`${STAGE}.s3`), script: finisher('part3.txt', 'Add part three') },
        ],
      },
    });
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  /** Idle after its turn: reminded once at its stop, answered, and stopped again (no answer then). */
  const idle = async (session: string) => {
    await e2e.waitFor(
      `${session} to finish its turn`,
      () =>
        e2e.events().some((e) => e.type === 'session.reminded' && e.session === session) &&
        conversation(e2e.server, sessionMarker(session)).length >= 3,
    );
    // The last Stop hook runs right after the last answer.
    await sleep(1_000);
    expect((await e2e.stage(STAGE)).session).toMatchObject({ id: session, status: 'idle' });
  };

  /** kill -9 of claude (the child of the pane's sh); resolves when `flux status` says crashed, with the delay. */
  const killClaude = async (session: string) => {
    const pid = await e2e.agentPid(`flux-${STAGE}`);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toMatch(/claude$/);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await e2e.waitFor(
      `${session} to be recorded crashed`,
      () => e2e.events().find((e) => e.type === 'session.crashed' && e.session === session),
      10_000,
    );
    return Date.now() - killedAt;
  };

  test('crashed at once; flux resume continues without a monitor; flux run restarts a crash; merged', async () => {
    try {
      // s1 commits part one and waits. The monitor stops watching; the session stays in tmux.
      const first = e2e.startRun();
      await idle(`${STAGE}.s1`);
      // Ctrl+C (130), unless the monitor already returned because the session waits for a person (0).
      expect([0, 130]).toContain(await first.stop());
      expect(await e2e.git(['log', '--format=%s', `flux/${STAGE}`, '-1'])).toBe('Add part one');

      // kill -9 with no monitor: the exit reporter records the crash.
      const delay1 = await killClaude(`${STAGE}.s1`);
      expect(delay1).toBeLessThan(5_000);
      const crashed = e2e.events().find((e) => e.type === 'session.crashed')!;
      expect(crashed).toMatchObject({ session: `${STAGE}.s1`, reason: 'the agent was killed by signal 9' });
      expect((await e2e.stage(STAGE)).session?.status).toBe('crashed');

      // flux resume: a fresh session on the same branch, told what is there.
      const resume = await e2e.flux(['resume', STAGE]);
      expect(resume.exitCode, resume.stdout + resume.stderr).toBe(0);
      expect(resume.stdout).toContain(`Resumed ${STAGE}`);
      expect(resume.stdout).toContain('It is told what the previous sessions committed on the branch.');
      await e2e.waitFor(
        's2 to start',
        () => conversation(e2e.server, sessionMarker(`${STAGE}.s2`)).length > 0,
      );
      const prompt2 = firstPrompt(e2e.server, sessionMarker(`${STAGE}.s2`))!;
      expect(prompt2).toContain('## Work already on your branch');
      expect(prompt2).toContain('- Add part one');
      expect(prompt2.trim()).toBe(e2e.read(`.work/signals/${STAGE}.s2.md`).trim());

      // With `flux run` watching, a crash is restarted on its own (s3), which finishes.
      // s2 commits part two and is killed in the middle of a long command.
      const second = e2e.startRun();
      await e2e.waitFor(
        's2 to run its long command',
        () => conversation(e2e.server, sessionMarker(`${STAGE}.s2`)).length >= 2,
      );
      await sleep(1_000);
      expect(await e2e.git(['log', '--format=%s', `flux/${STAGE}`, '-1'])).toBe('Add part two');
      const delay2 = await killClaude(`${STAGE}.s2`);
      expect(delay2).toBeLessThan(5_000);
      expect(await second.finished(90_000), second.output()).toBe(0);
      const prompt3 = firstPrompt(e2e.server, sessionMarker(`${STAGE}.s3`))!;
      expect(prompt3).toContain('- Add part one');
      expect(prompt3).toContain('- Add part two');

      const events = e2e.events();
      expect(events.filter((e) => e.type === 'session.crashed').map((e) => e.session)).toEqual([
        `${STAGE}.s1`,
        `${STAGE}.s2`,
      ]);
      expect(events.filter((e) => e.type === 'session.started').map((e) => e.session)).toEqual([
        `${STAGE}.s1`,
        `${STAGE}.s2`,
        `${STAGE}.s3`,
      ]);
      expect((await e2e.stage(STAGE)).status).toBe('merged');
      const subjects = (await e2e.git(['log', '--no-merges', '--format=%s', 'main'])).split('\n');
      expect(subjects).toEqual(expect.arrayContaining(['Add part one', 'Add part two', 'Add part three']));
    } catch (error) {
      console.log(await e2e.diagnose());
      throw error;
    }
  });
});
