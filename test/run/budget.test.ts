/**
 * Budgets end to end with the simulated agent (real git, tmux on a private
 * server): the script's per-turn `cost` takes the stage past 80% (a person
 * is told) and 100% (its next Stop asks the session to commit, write a
 * handoff and stop; the stage waits with "budget reached"); `flux budget`
 * raises it and the stage goes on from its handoff to merged. A plan-wide
 * budget stops new starts. Bad input is refused with its exit code.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  finalStatuses,
  fluxWorkspace,
  ofType,
  planDocument,
  runToEnd,
  type FluxWorkspace,
  type LogEvent,
} from '../helpers/flux-run.js';

interface BudgetRow {
  id: string;
  status: string;
  cost_usd: number | null;
  budget: { usd?: number };
  budget_reached: { scope: string; kind: string; spent: number; limit: number } | null;
}
interface BudgetStatus {
  stages: BudgetRow[];
  attention: Array<{ stage: string; what: string; command: string }>;
  cost_usd: number | null;
}

async function status(ws: FluxWorkspace): Promise<BudgetStatus> {
  const result = await ws.flux(['status', '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as BudgetStatus;
}

const STAGE = 's1';

const stagePlan = planDocument(
  'Budgeted models',
  `    - id: ${STAGE}
      name: "Models"
      description: "Three models"
      dependencies: []
      gate: auto
      budget: {usd: 1}
      acceptance:
        - "test -f src/a.txt && test -f src/b.txt && test -f src/c.txt"
      files:
        - "src/**"`,
);

// A session's first figure is recorded at once, and so are those crossing 80% and 100% (docs/budgets.md).
const stageScript = {
  turns: [
    {
      say: 'Writing a.',
      cost: 0.5,
      actions: [{ write: { path: 'src/a.txt', content: 'a\n' } }, { commit: 'Write a' }],
    },
    { say: 'Writing b.', cost: 0.35, actions: [{ write: { path: 'src/b.txt', content: 'b\n' } }] },
    {
      say: 'Committing b.',
      cost: 0.3,
      // Time for the monitor to tell of the 80% before the next figure reaches 100%.
      actions: [{ sleep: 1500 }, { commit: 'Write b' }],
    },
    {
      say: 'Writing c.',
      cost: 0.2,
      actions: [{ write: { path: 'src/c.txt', content: 'c\n' } }, { commit: 'Write c' }],
    },
    // Its own turn: the figure of the turn that completes the stage comes after Flux ended the session.
    { say: 'Done.', cost: 0, actions: [{ flux: ['done'] }] },
  ],
};

describe('a stage budget: told at 80%, stopped at 100%, raised by a person', () => {
  let ws: FluxWorkspace;
  let firstRun: { exitCode: number };
  let afterFirst: LogEvent[];
  let held: BudgetStatus;

  beforeAll(async () => {
    ws = await fluxWorkspace({ plan: stagePlan, sims: { [STAGE]: stageScript } });
    firstRun = await runToEnd(ws);
    afterFirst = ws.events();
    held = await status(ws);
  }, 120_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('the first run settles with the stage waiting on its budget', () => {
    expect(firstRun.exitCode, describeWorkspace(ws)).toBe(0);
    expect(finalStatuses(afterFirst).stages).toEqual({ [STAGE]: 'needs_handoff' });
    expect(ofType(afterFirst, 'session.started')).toHaveLength(1);
  });

  it('records the spend from the status line, summed per stage', () => {
    const costs = ofType(afterFirst, 'session.cost').map((e) => e.usd);
    expect(costs).toEqual([0.5, 0.85, 1.15]);
    const row = held.stages.find((s) => s.id === STAGE)!;
    expect(row.cost_usd).toBeCloseTo(1.15, 6);
    expect(held.cost_usd).toBeCloseTo(1.15, 6);
    expect(row.budget).toEqual({ usd: 1 });
  });

  it('tells a person at 80%, then at 100%', () => {
    const told = ofType(afterFirst, 'notification.sent').filter((e) => e.kind === 'budget');
    expect(
      told.map((e) => e.key),
      describeWorkspace(ws),
    ).toEqual([`budget:${STAGE}:usd:1:80`, `budget:${STAGE}:usd:1:reached`]);
    expect(told[0]!.title).toBe(`${STAGE} has spent 85% of its budget`);
    expect(told[1]!.message).toContain(`flux budget ${STAGE} --usd N`);
  });

  it('the Stop after 100% told the session to commit, hand off and stop; it did', async () => {
    const reached = ofType(afterFirst, 'budget.reached');
    expect(reached).toEqual([expect.objectContaining({ stage: STAGE, kind: 'usd', spent: 1.15, limit: 1 })]);
    const handingOff = ofType(afterFirst, 'session.handing_off');
    expect(handingOff).toEqual([expect.objectContaining({ session: `${STAGE}.s1`, trigger: 'budget' })]);
    expect(afterFirst.indexOf(handingOff[0]!)).toBeGreaterThan(afterFirst.indexOf(reached[0]!));
    expect(ofType(afterFirst, 'stage.handoff_requested')).toHaveLength(1);
    expect(ws.read(`.work/handoffs/${STAGE}-handoff-001.md`)).toMatch(/sim-resume-turn: 3\s*$/);
    // Its work is committed in the stage's branch.
    expect(await ws.git(['log', '--format=%s', `flux/${STAGE}`])).toContain('Write b');
  });

  it('flux status says the budget is reached and how to raise it', async () => {
    const row = held.stages.find((s) => s.id === STAGE)!;
    expect(row.budget_reached).toEqual({ scope: 'stage', kind: 'usd', spent: 1.15, limit: 1 });
    expect(held.attention).toContainEqual({
      stage: STAGE,
      what: 'budget reached: $1.15 of $1.00',
      command: `flux budget ${STAGE} --usd N`,
    });
    const text = await ws.flux(['status']);
    expect(text.stdout).toMatch(new RegExp(`${STAGE} +needs_handoff .*\\$1\\.15 / \\$1\\.00`));
  });

  it('refuses bad input with its exit code, recording nothing', async () => {
    const before = ws.read('.work/events.jsonl');
    const negative = await ws.flux(['budget', STAGE, '--usd', '-3']);
    expect(negative.exitCode).toBe(64);
    expect(negative.stderr).toContain("option '--usd <n>' argument '-3' is invalid");
    expect(negative.stderr).toContain('expected a number above 0');
    const unknown = await ws.flux(['budget', 'nope', '--usd', '3']);
    expect(unknown.exitCode).toBe(64);
    expect(unknown.stderr).toContain("no stage 'nope' in the plan");
    const under = await ws.flux(['budget', STAGE, '--usd', '1.1']);
    expect(under.exitCode).toBe(3);
    expect(under.stderr).toContain(`${STAGE} has spent $1.15 already`);
    expect(under.stderr).toContain(`flux budget ${STAGE} --usd 1.16`);
    const neither = await ws.flux(['budget', '--usd', '3']);
    expect(neither.exitCode).toBe(64);
    // Nor does a resume go round it: raising is the person's call.
    const resume = await ws.flux(['resume', STAGE]);
    expect(resume.exitCode).toBe(3);
    expect(resume.stderr).toContain(`${STAGE} waits on its budget: $1.15 of $1.00 spent`);
    expect(resume.stderr).toContain(`flux budget ${STAGE} --usd N`);
    for (const result of [negative, unknown, under, neither, resume])
      expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(ws.read('.work/events.jsonl')).toBe(before);
  });

  it('flux budget raises it; the stage continues from its handoff and merges', async () => {
    const raised = await ws.flux(['budget', STAGE, '--usd', '3']);
    expect(raised.exitCode, raised.stderr).toBe(0);
    expect(raised.stdout).toContain(`${STAGE}: $1.15 of $3.00`);
    expect(ws.events().at(-1)).toMatchObject({ type: 'budget.raised', stage: STAGE, usd: 3, by: 'human' });

    const second = await runToEnd(ws);
    expect(second.exitCode, describeWorkspace(ws)).toBe(0);
    const events = ws.events();
    expect(finalStatuses(events)).toEqual({
      stages: { [STAGE]: 'merged' },
      sessions: { [`${STAGE}.s1`]: 'ended', [`${STAGE}.s2`]: 'ended' },
    });
    expect(ofType(events, 'session.started').at(-1)).toMatchObject({
      session: `${STAGE}.s2`,
      handoff: `handoffs/${STAGE}-handoff-001.md`,
    });
    const subjects = (await ws.git(['log', '--format=%s', 'main'])).split('\n');
    for (const subject of ['Write a', 'Write b', 'Write c']) expect(subjects).toContain(subject);
    const done = await status(ws);
    expect(done.stages[0]!.cost_usd).toBeCloseTo(1.35, 6);
    expect(done.stages[0]!.budget_reached).toBeNull();
  }, 120_000);
});

const planWithBudget = planDocument(
  'Two stages, one plan budget',
  `    - id: a
      name: "A"
      description: "First"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f notes/a.md"
    - id: b
      name: "B"
      description: "Second"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f notes/b.md"`,
).replace('  version: 1\n', '  version: 1\n  budget:\n    usd: 0.5\n');

describe('a plan budget', () => {
  let ws: FluxWorkspace;

  beforeAll(async () => {
    ws = await fluxWorkspace({
      plan: planWithBudget,
      settings: { max_parallel: 1 },
      sims: {
        a: {
          turns: [
            {
              say: 'All of a at once.',
              cost: 0.6,
              actions: [{ write: { path: 'notes/a.md', content: 'a\n' } }, { commit: 'a' }],
            },
            { say: 'Done.', actions: [{ flux: ['done'] }] },
          ],
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('stops new starts once spent: a merges, b is never started', async () => {
    const run = await runToEnd(ws);
    expect(run.exitCode, describeWorkspace(ws)).toBe(0);
    const events = ws.events();
    expect(finalStatuses(events).stages).toEqual({ a: 'merged', b: 'ready' });
    expect(ofType(events, 'session.started').map((e) => e.stage)).toEqual(['a']);
    const reached = ofType(events, 'budget.reached');
    expect(reached).toHaveLength(1);
    expect(reached[0]).not.toHaveProperty('stage');
    expect(reached[0]).toMatchObject({ kind: 'usd', spent: 0.6, limit: 0.5 });
    const view = await status(ws);
    expect(view.stages.find((s) => s.id === 'b')!.budget_reached).toMatchObject({ scope: 'plan' });
    expect(view.attention).toContainEqual(
      expect.objectContaining({ stage: 'b', command: 'flux budget --plan --usd N' }),
    );
  }, 120_000);

  it('flux budget --plan lets the rest start', async () => {
    const raised = await ws.flux(['budget', '--plan', '--usd', '5']);
    expect(raised.exitCode, raised.stderr).toBe(0);
    expect(ws.events().at(-1)).toMatchObject({ type: 'budget.raised', usd: 5, by: 'human' });
    expect(ws.events().at(-1)).not.toHaveProperty('stage');
    const run = await runToEnd(ws);
    expect(run.exitCode, describeWorkspace(ws)).toBe(0);
    expect(finalStatuses(ws.events()).stages).toEqual({ a: 'merged', b: 'merged' });
  }, 120_000);
});

describe('a budget of the wrong type in the plan', () => {
  let ws: FluxWorkspace;

  beforeAll(async () => {
    ws = await fluxWorkspace({ plan: stagePlan });
  }, 60_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('is refused by flux init, naming the file, line and field (exit 2), and nothing changes', async () => {
    const before = ws.read('.work/events.jsonl');
    const file = path.join(ws.root, 'doc/plans/BAD.md');
    writeFileSync(file, stagePlan.replace('budget: {usd: 1}', 'budget: {usd: "1 dollar"}'));
    const result = await ws.flux(['init', 'doc/plans/BAD.md', '--force']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/doc\/plans\/BAD\.md:14:\d+/);
    expect(result.stderr).toContain('budget.usd');
    expect(result.stderr).toContain('must be a number of US dollars above 0, not `1 dollar` (a string)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(ws.read('.work/events.jsonl')).toBe(before);
  });
});
