// Scenario 5: Claude Code is about to compact the context on its own. With
// `autoCompactWindow = 200000` in the settings Flux passes, usage past 83.5%
// makes Claude Code run PreCompact (trigger auto) before it compacts. Flux's
// hook blocks the compaction and records the session handing off; the block's
// reason does not reach the model, so the session's next Stop is answered with
// the handoff instruction. The session hands off and s2 finishes the stage.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bash, say } from '../model-server.js';
import {
  declareDone,
  announceSkip,
  answersTool,
  claudeSkipReason,
  commitFiles,
  conversation,
  firstPrompt,
  fluxE2E,
  planDocument,
  reactive,
  sessionMarker,
  shq,
  usage,
  type E2E,
} from './harness.js';

const STAGE = 'stage-big';
const HANDOFF = `handoffs/${STAGE}-handoff-001.md`;
const HANDOFF_TEXT = [
  '# Handoff: Big stage',
  '',
  'Summary: two files.',
  'Done: one.txt.',
  'Remaining: two.txt:1.',
  'Decisions: none worth noting.',
].join('\n');

const PLAN = planDocument(
  'Compaction',
  `    - id: ${STAGE}
      name: "Big stage"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f one.txt"
        - "test -f two.txt"
      files:
        - "*.txt"`,
);

/** 85% of 200k: past Claude Code's auto-compact point (167000 tokens), below Flux's threshold here (90%). */
const HUGE = usage(170_000);

const first = reactive((req, ctx) => {
  const last = ctx.seen.at(-1)!;
  if (ctx.n === 1) {
    const tools = commitFiles({ 'one.txt': 'one' }, 'Add one')!;
    tools[0]!.input.command += ' && sleep 1';
    return { tools, usage: HUGE };
  }
  if (last.includes('Stop hook feedback:') && last.includes(HANDOFF) && ctx.handedOff !== true) {
    ctx.handedOff = true;
    return {
      tools: [bash(`printf '%s\\n' ${shq(HANDOFF_TEXT)} > .work/${HANDOFF} && flux handoff`, 'hand off')],
      usage: HUGE,
    };
  }
  if (answersTool(req) && ctx.handedOff === true) return say('Handed off.', HUGE);
  return say('One is committed.', HUGE);
});

const second = reactive((req, ctx) => {
  if (ctx.n === 1) return { tools: commitFiles({ 'two.txt': 'two' }, 'Add two') };
  return declareDone(req, ctx);
});

const reason = claudeSkipReason();
announceSkip('flux run with real claude (PreCompact)', reason);

describe.skipIf(reason !== undefined)(
  'flux run with real claude: auto-compaction blocked, handoff instead',
  () => {
    let e2e: E2E;
    beforeAll(async () => {
      e2e = await fluxE2E({
        plan: PLAN,
        run: { handoff_threshold: 90 },
        scenario: {
          routes: [
            { match: sessionMarker(`${STAGE}.s1`), script: first },
            { match: sessionMarker(`${STAGE}.s2`), script: second },
          ],
        },
      });
    });
    afterAll(async () => {
      await e2e?.cleanup();
    });

    test('PreCompact is blocked and recorded; the next Stop asks for the handoff; s2 finishes', async () => {
      try {
        const run = e2e.startRun();
        expect(await run.finished(90_000), run.output()).toBe(0);
        const events = e2e.events();
        const of = (type: string) => events.filter((e) => e.type === type);

        // 85% is below Flux's threshold (90): only PreCompact can have started the handoff.
        expect(of('session.context')).toContainEqual(
          expect.objectContaining({ session: `${STAGE}.s1`, percent: 85 }),
        );
        expect(of('session.handing_off')).toEqual([
          expect.objectContaining({ session: `${STAGE}.s1`, trigger: 'precompact' }),
        ]);
        // Blocked: no compaction request was sent, and the conversation went on uncompacted.
        expect(e2e.server.requests.filter((r) => r.kind === 'compact')).toEqual([]);
        const s1 = conversation(e2e.server, sessionMarker(`${STAGE}.s1`));
        // The block's reason never reaches the model...
        expect(s1.some((t) => t.includes('about to be compacted'))).toBe(false);
        // ...the Stop after it carries the instruction, because the session is handing off.
        const feedback = s1.find((t) => t.startsWith('Stop hook feedback:\n'));
        expect(feedback).toContain(`write .work/${HANDOFF} with`);
        expect(feedback).toContain('run `flux handoff` and stop');
        expect(of('session.reminded').map((e) => e.session)).toEqual([`${STAGE}.s1`]);

        // The handoff reached s2, which finished the stage.
        expect(of('stage.handoff_requested')).toEqual([
          expect.objectContaining({ session: `${STAGE}.s1`, handoff: HANDOFF }),
        ]);
        expect(firstPrompt(e2e.server, sessionMarker(`${STAGE}.s2`))).toContain(HANDOFF_TEXT);
        expect(e2e.read(`.work/signals/${STAGE}.s2.md`)).toContain(HANDOFF_TEXT);
        expect((await e2e.stage(STAGE)).status).toBe('merged');
        const subjects = (await e2e.git(['log', '--no-merges', '--format=%s', 'main'])).split('\n');
        expect(subjects).toEqual(expect.arrayContaining(['Add one', 'Add two']));
      } catch (error) {
        console.log(await e2e.diagnose());
        throw error;
      }
    });
  },
);
