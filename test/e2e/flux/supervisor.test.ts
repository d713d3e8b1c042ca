// The supervisor with the real claude: `flux run --detach` starts it and
// returns; the stage's agent asks for a permission; the person answers with
// `flux approve` from another terminal — and that is all they run: the
// supervisor carries the stage to merged and starts the one after it, with
// no second `flux run`.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bash } from '../model-server.js';
import {
  announceSkip,
  claudeSkipReason,
  commitFiles,
  declareDone,
  fluxE2E,
  hasCommand,
  planDocument,
  reactive,
  stageMarker,
  toolResult,
  type E2E,
} from './harness.js';

const PLAN = planDocument(
  'Supervised',
  `    - id: fetch
      name: "Fetch"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f fetched.txt"
      files:
        - "fetched.txt"
    - id: after
      name: "After"
      dependencies: [fetch]
      gate: auto
      acceptance:
        - "test -f after.txt"
      files:
        - "after.txt"`,
);

const fetcher = reactive((req, ctx) => {
  if (ctx.n === 1)
    return {
      text: 'I need the data first.',
      tools: [bash(`curl -s ${ctx.server!.url}/probe`, 'fetch the data')],
    };
  if (ctx.n === 2)
    return { tools: commitFiles({ 'fetched.txt': `fetched: ${toolResult(req)!.text}` }, 'Record it') };
  return declareDone(req, ctx);
});
const after = reactive((req, ctx) =>
  ctx.n === 1 ? { tools: commitFiles({ 'after.txt': 'after' }, 'After') } : declareDone(req, ctx),
);

const reason = claudeSkipReason() ?? (hasCommand('curl') ? undefined : 'curl is not installed');
announceSkip('the supervisor with real claude', reason);

describe.skipIf(reason !== undefined)('the supervisor with real claude', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      scenario: {
        routes: [
          { match: stageMarker('fetch'), script: fetcher },
          { match: stageMarker('after'), script: after },
        ],
      },
    });
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  test('flux run --detach, then only flux approve: both stages merged', async () => {
    const supervised = { FLUX_SUPERVISOR: 'auto' };
    try {
      const detached = await e2e.flux(['run', '--detach'], { env: supervised });
      expect(detached.exitCode, detached.stderr).toBe(0);
      expect(detached.stdout).toMatch(/^Started the supervisor \(pid \d+/);
      await e2e.waitFor('fetch to wait for permission', async () =>
        (await e2e.stage('fetch')).session?.status === 'waiting_permission' ? true : undefined,
      );
      const approve = await e2e.flux(['approve', 'fetch'], { env: supervised });
      expect(approve.exitCode, approve.stderr).toBe(0);
      await e2e.waitForStage('after', 'merged', 120_000);
      expect((await e2e.status()).stages.map((s) => [s.id, s.status])).toEqual([
        ['fetch', 'merged'],
        ['after', 'merged'],
      ]);
      expect(await e2e.git(['show', 'main:fetched.txt'])).toBe('fetched: {}');
      // Nobody ran `flux run` again: one run.
      const notified = e2e
        .events()
        .filter((e) => e.type === 'notification.sent')
        .map((e) => e.kind);
      expect(notified).toEqual(['permission', 'done']);
    } catch (error) {
      console.log(await e2e.diagnose());
      throw error;
    }
  });
});
