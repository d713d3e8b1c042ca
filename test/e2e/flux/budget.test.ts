// A stage budget with the real claude: the scripted server's usage is priced
// by Claude Code itself (its status line's cost.total_cost_usd), Flux records
// that figure (session.cost, cost_usd in `flux status --json`), and once it
// passes the stage's small budget the session's next Stop is answered with the
// budget instruction: it writes the handoff, runs `flux handoff` and stops, and
// the stage waits on a person ("budget reached") instead of a fresh session.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bash, say } from '../model-server.js';
import {
  announceSkip,
  answersTool,
  claudeSkipReason,
  commitFiles,
  conversation,
  fluxE2E,
  planDocument,
  reactive,
  sessionMarker,
  shq,
  usage,
  type E2E,
} from './harness.js';

const STAGE = 'stage-1-models';
const HANDOFF = `handoffs/${STAGE}-handoff-001.md`;
const HANDOFF_TEXT = [
  '# Handoff: Data Models',
  '',
  'Summary: the models of the auth plan.',
  'Done: src/models/user.rs (the User struct).',
  'Remaining: src/models/session.rs:1, the Session struct.',
  'Decisions: one file per model; stopped at the budget.',
].join('\n');

/** 100k input tokens a request: at Sonnet's $3 per million, $0.30 each, so two pass $0.50. */
const HEAVY = usage(100_000);

const PLAN = planDocument(
  'Budget',
  `    - id: ${STAGE}
      name: "Data Models"
      description: "Create User and Session models"
      dependencies: []
      gate: auto
      budget: {usd: 0.5}
      acceptance:
        - "test -f src/models/user.rs"
        - "test -f src/models/session.rs"
      files:
        - "src/models/*.rs"`,
);

const first = reactive((req, ctx) => {
  const last = ctx.seen.at(-1)!;
  if (ctx.n === 1) {
    // The tool takes a second, so the status line has reported this answer's cost before the turn ends.
    const tools = commitFiles({ 'src/models/user.rs': 'pub struct User;' }, 'Add the User model')!;
    tools[0]!.input.command += ' && sleep 1';
    return { tools, usage: HEAVY };
  }
  if (last.includes('Stop hook feedback:') && last.includes('reached its budget') && ctx.handedOff !== true) {
    ctx.handedOff = true;
    return {
      text: 'Writing the handoff.',
      tools: [bash(`printf '%s\\n' ${shq(HANDOFF_TEXT)} > .work/${HANDOFF} && flux handoff`, 'hand off')],
    };
  }
  if (answersTool(req) && ctx.handedOff === true) return say('Handed off.');
  // A stop answered before the last figure was on record (a reminder): work a little longer.
  if (last.includes('Stop hook feedback:')) return { tools: [bash('sleep 2', 'wait for the build')] };
  if (ctx.n === 2) return say('The User model is committed.', HEAVY);
  return say('Still on the models.');
});

const reason = claudeSkipReason();
announceSkip('flux run with real claude (budget)', reason);

describe.skipIf(reason !== undefined)('flux run with real claude: a stage budget is reached', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      scenario: { routes: [{ match: sessionMarker(`${STAGE}.s1`), script: first }] },
    });
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  test("Claude Code's own cost is recorded; past the budget the session hands off and the stage waits", async () => {
    try {
      const run = e2e.startRun();
      expect(await run.finished(120_000), run.output()).toBe(0);
      const events = e2e.events();
      const of = (type: string) => events.filter((e) => e.type === type);

      // What Claude Code computed from the scripted usage is what Flux recorded.
      const costs = of('session.cost').map((e) => e.usd as number);
      expect(costs.length).toBeGreaterThan(0);
      expect(costs.every((usd, i) => i === 0 || usd > costs[i - 1]!)).toBe(true);
      expect(costs.at(-1)!).toBeGreaterThanOrEqual(0.5);
      const row = (await e2e.status()).stages.find((s) => s.id === STAGE) as unknown as {
        status: string;
        cost_usd: number | null;
        budget_reached: { scope: string; kind: string; limit: number } | null;
      };
      expect(row.cost_usd).toBeCloseTo(costs.at(-1)!, 6);

      // The budget was reached; the Stop after it told the session to commit, hand off and stop.
      expect(of('budget.reached')).toEqual([
        expect.objectContaining({ stage: STAGE, kind: 'usd', limit: 0.5 }),
      ]);
      expect(of('session.handing_off')).toEqual([
        expect.objectContaining({ session: `${STAGE}.s1`, trigger: 'budget' }),
      ]);
      const feedback = conversation(e2e.server, sessionMarker(`${STAGE}.s1`)).find((t) =>
        t.includes('reached its budget'),
      );
      expect(feedback).toContain('This stage has reached its budget ($');
      expect(feedback).toContain(`write .work/${HANDOFF} with`);
      expect(feedback).toContain('run `flux handoff` and stop');
      expect(of('stage.handoff_requested')).toEqual([
        expect.objectContaining({ stage: STAGE, session: `${STAGE}.s1`, handoff: HANDOFF }),
      ]);

      // The stage waits on a person: no second session, and status says how to go on.
      expect(of('session.started')).toHaveLength(1);
      expect(row.status).toBe('needs_handoff');
      expect(row.budget_reached).toMatchObject({ scope: 'stage', kind: 'usd', limit: 0.5 });
      const status = await e2e.flux(['status']);
      expect(status.stdout).toContain(`flux budget ${STAGE} --usd N`);
      expect(of('session.crashed')).toEqual([]);
    } catch (error) {
      console.log(await e2e.diagnose());
      throw error;
    }
  });
});
