/**
 * A handoff at the threshold (75%), end to end: the agent's turns push its
 * context to 80%, its next Stop is answered with the handoff instruction,
 * the agent writes `.work/handoffs/<stage>-handoff-001.md` and runs
 * `flux handoff`; the stage needs a handoff, a fresh session `<stage>.s2`
 * starts with the handoff in its first prompt, picks up where the first
 * stopped (the sim's resume marker) and finishes the stage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  doubledSessions,
  finalStatuses,
  fluxWorkspace,
  ofType,
  planDocument,
  runToEnd,
  type FluxWorkspace,
  type LogEvent,
} from '../helpers/flux-run.js';

const STAGE = 'stage-1-models';
const HANDOFF = `handoffs/${STAGE}-handoff-001.md`;

const plan = planDocument(
  'Models with a handoff',
  `    - id: ${STAGE}
      name: "Data Models"
      description: "Create User, Session, Token models"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f src/models/user.rs && test -f src/models/session.rs && test -f src/models/token.rs"
      files:
        - "src/models/*.rs"`,
);

const script = {
  description: 'Three models; the context passes the threshold after the second.',
  turns: [
    {
      say: 'Adding the user model.',
      context: 40,
      actions: [
        { write: { path: 'src/models/user.rs', content: 'pub struct User;\n' } },
        { commit: 'Add the user model' },
      ],
    },
    {
      say: 'Adding the session model.',
      context: 80,
      actions: [
        { write: { path: 'src/models/session.rs', content: 'pub struct Session;\n' } },
        { commit: 'Add the session model' },
      ],
    },
    {
      say: 'Adding the token model; done.',
      context: 20,
      actions: [
        { write: { path: 'src/models/token.rs', content: 'pub struct Token;\n' } },
        { commit: 'Add the token model' },
        { flux: ['done'] },
      ],
    },
  ],
};

describe('flux run: a handoff at 75%', () => {
  let ws: FluxWorkspace;
  let events: LogEvent[];
  let exitCode: number;
  let output: string;
  const ofS1 = (): LogEvent[] => events.filter((e) => e.session === `${STAGE}.s1`);

  beforeAll(async () => {
    ws = await fluxWorkspace({ plan, sims: { [STAGE]: script } });
    ({ exitCode, stdout: output } = await runToEnd(ws));
    events = ws.events();
  }, 120_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('ends with the stage merged after two sessions, exit 0', () => {
    expect(exitCode, describeWorkspace(ws)).toBe(0);
    expect(finalStatuses(events)).toEqual({
      stages: { [STAGE]: 'merged' },
      sessions: { [`${STAGE}.s1`]: 'ended', [`${STAGE}.s2`]: 'ended' },
    });
    expect(output).toContain('needs_handoff');
  });

  it('the status line recorded 80%, and the next Stop asked the first session to hand off', () => {
    const s1 = ofS1();
    const at80 = s1.findIndex((e) => e.type === 'session.context' && e.percent === 80);
    const handingOff = s1.findIndex((e) => e.type === 'session.handing_off');
    expect(at80, describeWorkspace(ws)).toBeGreaterThan(-1);
    expect(handingOff).toBeGreaterThan(at80);
    expect(s1[handingOff]).toMatchObject({ trigger: 'threshold' });
    // Below the threshold the first stop was only reminded to finish.
    expect(s1.findIndex((e) => e.type === 'session.reminded')).toBeLessThan(at80);
  });

  it('the agent wrote the handoff document and `flux handoff` recorded it', () => {
    expect(ofType(events, 'stage.handoff_requested')).toEqual([
      expect.objectContaining({ stage: STAGE, session: `${STAGE}.s1`, handoff: HANDOFF }),
    ]);
    const text = ws.read(`.work/${HANDOFF}`);
    expect(text).toMatch(/sim-resume-turn: 2\s*$/);
    expect(text).toContain('src/models/token.rs');
  });

  it('the first session ended as handed off; the second started from the handoff', () => {
    const ended = ofType(events, 'session.ended').find((e) => e.session === `${STAGE}.s1`)!;
    expect(ended.reason).toMatch(/handed off|ended by Flux|replaced by .*\.s2/);
    const s2 = ofType(events, 'session.started').find((e) => e.session === `${STAGE}.s2`)!;
    expect(s2).toMatchObject({ stage: STAGE, handoff: HANDOFF, agent: 'sim' });
    const handoffAt = events.findIndex((e) => e.type === 'stage.handoff_requested');
    expect(events.indexOf(s2)).toBeGreaterThan(handoffAt);
    expect(ofType(events, 'session.started')).toHaveLength(2);
    expect(doubledSessions(events), describeWorkspace(ws)).toEqual([]);
    // s1 is recorded ended before s2 reports anything (at the latest in the batch that starts s2).
    const s1Ended = events.indexOf(ended);
    const s2First = events.findIndex(
      (e) => e.session === `${STAGE}.s2` && e.type.startsWith('session.') && e.type !== 'session.started',
    );
    expect(s1Ended).toBeLessThan(s2First);
  });

  it("the second session's first prompt carries the handoff text", () => {
    const signal = ws.read(`.work/signals/${STAGE}.s2.md`);
    expect(signal).toContain(`## Continue from the handoff (.work/${HANDOFF})`);
    expect(signal).toContain(ws.read(`.work/${HANDOFF}`).trim());
    // It names the next document, should this session hand off in turn.
    expect(signal).toContain(`.work/handoffs/${STAGE}-handoff-002.md`);
  });

  it('the second session resumed at the marker: every commit made once, all merged', async () => {
    const subjects = (await ws.git(['log', '--format=%s', 'main'])).split('\n');
    for (const subject of ['Add the user model', 'Add the session model', 'Add the token model'])
      expect(
        subjects.filter((s) => s === subject),
        subject,
      ).toHaveLength(1);
    const completed = ofType(events, 'stage.completed')[0]!;
    const started2 = events.findIndex((e) => e.type === 'session.started' && e.session === `${STAGE}.s2`);
    expect(events.indexOf(completed)).toBeGreaterThan(started2);
    expect(ofType(events, 'session.crashed')).toEqual([]);
  });

  it('leaves nothing behind', async () => {
    expect(await ws.worktrees()).toEqual([{ path: ws.root, branch: 'main' }]);
    expect(await ws.tmuxSessions()).toEqual([]);
  });
});
