// Scenario 3: a tool call outside the allow-list Flux builds from the plan.
// Claude Code asks; Flux's PermissionRequest hook records the question
// (`flux status` shows the session waiting_permission) and waits for a
// person: `flux approve` lets the command run, `flux deny --reason` makes the
// model receive an error tool_result carrying the reason. Two stages, side by side.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bash, say } from '../model-server.js';
import {
  declareDone,
  announceSkip,
  claudeSkipReason,
  commitFiles,
  fluxE2E,
  hasCommand,
  planDocument,
  reactive,
  stageMarker,
  toolResult,
  usage,
  type E2E,
} from './harness.js';

const PLAN = planDocument(
  'Permissions',
  `    - id: fetch-allowed
      name: "Fetch, allowed"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f allowed.txt"
      files:
        - "allowed.txt"
    - id: fetch-denied
      name: "Fetch, denied"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f denied.txt"
      files:
        - "denied.txt"`,
);

const REASON = 'no network access in this stage: use the fixtures';

/** Asks to run curl against the model server (not in the allow-list), then records what it got and finishes. */
const fetcher = (probe: string, file: string) =>
  reactive((req, ctx) => {
    if (ctx.n === 1)
      return {
        text: 'I need the data first.',
        tools: [bash(`curl -s ${ctx.server!.url}/${probe}`, 'fetch the data')],
      };
    if (ctx.n === 2) {
      const result = toolResult(req)!;
      ctx.result = result;
      const line = result.isError ? `denied: ${result.text}` : `fetched: ${result.text}`;
      return { tools: commitFiles({ [file]: line }, `Record the ${probe} result`) };
    }
    return declareDone(req, ctx);
  });

const reason = claudeSkipReason() ?? (hasCommand('curl') ? undefined : 'curl is not installed');
announceSkip('flux run with real claude (permissions)', reason);

describe.skipIf(reason !== undefined)('flux run with real claude: permission requests', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      scenario: {
        routes: [
          { match: stageMarker('fetch-allowed'), script: fetcher('probe-allowed', 'allowed.txt') },
          { match: stageMarker('fetch-denied'), script: fetcher('probe-denied', 'denied.txt') },
        ],
      },
    });
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  test('the sessions wait; flux approve lets curl run, flux deny sends the reason to the model', async () => {
    try {
      const run = e2e.startRun();
      // When claude received the tool call, and when `flux status` first showed the wait.
      const asked = (marker: string) =>
        e2e.server.requests.find((r) => r.kind === 'main' && r.route === marker)?.at;
      const waiting = async (id: string) => {
        const row = await e2e.waitFor(`${id} to wait for permission`, async () => {
          const row = await e2e.stage(id);
          return row.session?.status === 'waiting_permission' ? row : undefined;
        });
        return { row, seenAt: Date.now(), askedAt: asked(stageMarker(id))! };
      };
      const [allowed, denied] = await Promise.all([waiting('fetch-allowed'), waiting('fetch-denied')]);
      // About a second in practice (from the model's first answer, through `flux status` polls).
      for (const w of [allowed, denied]) expect(w.seenAt - w.askedAt).toBeLessThan(4_000);

      const status = await e2e.status();
      const url = e2e.server.url;
      expect(status.attention).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            stage: 'fetch-allowed',
            what: `permission for Bash: curl -s ${url}/probe-allowed`,
          }),
          expect.objectContaining({
            stage: 'fetch-denied',
            what: `permission for Bash: curl -s ${url}/probe-denied`,
          }),
        ]),
      );
      // Nothing ran while the question was open.
      expect(e2e.server.requests.some((r) => r.path.startsWith('/probe-'))).toBe(false);

      const approve = await e2e.flux(['approve', 'fetch-allowed']);
      expect(approve.exitCode, approve.stderr).toBe(0);
      expect(approve.stdout).toContain(`Allowed Bash: curl -s ${url}/probe-allowed.`);
      const deny = await e2e.flux(['deny', 'fetch-denied', '--reason', REASON]);
      expect(deny.exitCode, deny.stderr).toBe(0);

      // The monitor watches until the stages merge, or (when it returned because both sessions
      // waited for a person) a second `flux run` picks up from the answers.
      expect(await run.finished(90_000), run.output()).toBe(0);
      if ((await e2e.status()).stages.some((s) => s.status !== 'merged')) {
        const again = e2e.startRun();
        expect(await again.finished(90_000), again.output()).toBe(0);
      }
      expect((await e2e.status()).stages.map((s) => [s.id, s.status])).toEqual([
        ['fetch-allowed', 'merged'],
        ['fetch-denied', 'merged'],
      ]);

      // Approved: curl ran (the server saw it) and its output came back as the tool result.
      const probes = e2e.server.requests.filter((r) => r.path.startsWith('/probe-')).map((r) => r.path);
      expect(probes).toEqual(['/probe-allowed']);
      const allowedAnswer = await e2e.git(['show', 'main:allowed.txt']);
      expect(allowedAnswer).toBe('fetched: {}');
      // Denied: the model got an error tool_result with the person's reason; curl never ran.
      const deniedAnswer = await e2e.git(['show', 'main:denied.txt']);
      expect(deniedAnswer).toMatch(/^denied: /);
      expect(deniedAnswer).toContain(REASON);

      const answered = e2e.events().filter((e) => e.type === 'session.permission_answered');
      expect(answered.map((e) => [e.session, e.decision, e.reason])).toEqual(
        expect.arrayContaining([
          ['fetch-allowed.s1', 'allow', undefined],
          ['fetch-denied.s1', 'deny', REASON],
        ]),
      );
    } catch (error) {
      console.log(await e2e.diagnose());
      throw error;
    }
  });
});

// A session told to hand off stays `handing_off` until it ends; a permission
// question it asks meanwhile (a command outside the allow-list while it
// writes its handoff) is open all the same: `flux status` lists it, the
// PermissionRequest hook waits for the answer, and `flux approve` gives it.
const HANDING_OFF = 'stage-note';
const askingWhileHandingOff = reactive((_req, ctx) => {
  if (ctx.n === 1) {
    // 80% of the window; the tool takes a second so the status line records it before the Stop.
    const tools = commitFiles({ 'note.txt': 'note' }, 'Add the note')!;
    tools[0]!.input.command += ' && sleep 1';
    return { tools, usage: usage(160_000) };
  }
  if (ctx.seen.at(-1)!.includes('Stop hook feedback:') && ctx.asked !== true) {
    ctx.asked = true;
    return { tools: [bash(`curl -s ${ctx.server!.url}/probe-handoff`, 'look something up for the handoff')] };
  }
  return say('Waiting.', usage(160_000));
});

describe.skipIf(reason !== undefined)(
  'flux run with real claude: a permission question while handing off',
  () => {
    let e2e: E2E;
    beforeAll(async () => {
      e2e = await fluxE2E({
        plan: planDocument(
          'Permission while handing off',
          `    - id: ${HANDING_OFF}
      name: "Note"
      dependencies: []
      gate: auto
      acceptance: []
      files:
        - "note.txt"`,
        ),
        scenario: { routes: [{ match: stageMarker(HANDING_OFF), script: askingWhileHandingOff }] },
      });
    });
    afterAll(async () => {
      await e2e?.cleanup();
    });

    test('flux status shows it waiting and flux approve answers it', async () => {
      e2e.startRun();
      // The question was asked and recorded (as an event, not as the session's state).
      await e2e.waitFor('the permission question', () =>
        e2e
          .events()
          .some((e) => e.type === 'session.waiting_permission' && e.session === `${HANDING_OFF}.s1`),
      );
      expect(e2e.events().some((e) => e.type === 'session.handing_off')).toBe(true);
      const status = JSON.parse((await e2e.flux(['status', '--json'])).stdout) as {
        attention: Array<{ stage: string; what: string }>;
      };
      expect(status.attention.find((a) => a.stage === HANDING_OFF)?.what).toMatch(
        /^permission for Bash: curl/,
      );
      const approve = await e2e.flux(['approve', HANDING_OFF]);
      expect(approve.exitCode, approve.stderr).toBe(0);
      // The hook passed the answer on: curl ran and its request reached the server.
      await e2e.waitFor('the approved request', () =>
        e2e.server.requests.some((r) => r.path.startsWith('/probe-handoff')),
      );
    });
  },
);
