/**
 * A failing acceptance keeps the stage running: the agent's first `flux done`
 * fails (the acceptance checks a file it writes only in a later turn), Flux
 * records the failure and prints it back; the agent fixes it, runs `flux done`
 * again, and the stage completes and merges. It never fails.
 */
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

const STAGE = 'stage-2-api';

const plan = planDocument(
  'API with a failing first try',
  `    - id: ${STAGE}
      name: "API Endpoints"
      description: "Implement auth endpoints"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f src/api/login.rs"
        - "grep -q 'fn tested' src/api/tests.rs"
      files:
        - "src/api/*.rs"`,
);

const script = {
  turns: [
    {
      say: 'The login endpoint is written; declaring it done.',
      context: 20,
      actions: [
        { write: { path: 'src/api/login.rs', content: 'pub fn login() {}\n' } },
        { commit: 'Add the login endpoint' },
        // As Claude Code runs it, through a shell (its Bash tool), with the `flux` shim the
        // launcher writes; what the agent reads is kept outside the worktree for the test.
        {
          run: 'command -v flux > "$FLUX_WORK_DIR/logs/which-flux.txt" 2>&1 || echo "not on PATH: $PATH" >> "$FLUX_WORK_DIR/logs/which-flux.txt"',
        },
        {
          run: '"$FLUX_WORK_DIR/bin/flux" done > "$FLUX_WORK_DIR/logs/first-done.txt" 2>&1; echo "exit $?" >> "$FLUX_WORK_DIR/logs/first-done.txt"',
        },
      ],
    },
    {
      say: 'The tests were missing; adding them and trying again.',
      context: 30,
      actions: [
        { write: { path: 'src/api/tests.rs', content: 'fn tested() {}\n' } },
        { commit: 'Add the API tests' },
        { flux: ['done'] },
      ],
    },
  ],
};

describe('flux run: a failing acceptance keeps the stage running', () => {
  let ws: FluxWorkspace;
  let events: LogEvent[];
  let exitCode: number;

  beforeAll(async () => {
    ws = await fluxWorkspace({ plan, sims: { [STAGE]: script } });
    ({ exitCode } = await runToEnd(ws));
    events = ws.events();
  }, 120_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('records acceptance_failed, then completed, in one session; never failed', () => {
    expect(exitCode, describeWorkspace(ws)).toBe(0);
    const stageEvents = events
      .filter((e) => e.stage === STAGE && e.type.startsWith('stage.'))
      .map((e) => e.type);
    expect(stageEvents).toEqual([
      'stage.ready',
      'stage.started',
      'stage.acceptance_failed',
      'stage.completed',
      'stage.verified',
      'stage.merged',
    ]);
    expect(ofType(events, 'stage.failed')).toEqual([]);
    expect(ofType(events, 'session.started')).toHaveLength(1);
    expect(finalStatuses(events).stages[STAGE]).toBe('merged');
  });

  it('the failure records which command failed and its exit code; the passing run records all passing', () => {
    const failed = ofType(events, 'stage.acceptance_failed')[0]!;
    expect(failed.results).toEqual([
      expect.objectContaining({ command: 'test -f src/api/login.rs', exit_code: 0, timed_out: false }),
      expect.objectContaining({ command: "grep -q 'fn tested' src/api/tests.rs", exit_code: 2 }),
    ]);
    const completed = ofType(events, 'stage.completed')[0]!;
    expect(completed).toMatchObject({ forced: false });
    expect((completed.results as Array<{ exit_code: number }>).map((r) => r.exit_code)).toEqual([0, 0]);
  });

  it('the agent read what failed from `flux done` (exit 7), and went on working', () => {
    const seen = ws.read('.work/logs/first-done.txt');
    expect(seen).toContain(`${STAGE}: running 2 acceptance command(s)`);
    expect(seen).toContain('Acceptance failed:');
    expect(seen).toContain("✗ grep -q 'fn tested' src/api/tests.rs (exited 2)");
    expect(seen).not.toContain('✗ test -f src/api/login.rs');
    expect(seen).toContain('Fix these, commit, and run `flux done` again.');
    expect(seen).toMatch(/exit 7\n$/);
    const failedAt = events.findIndex((e) => e.type === 'stage.acceptance_failed');
    const completedAt = events.findIndex((e) => e.type === 'stage.completed');
    // Its Stop after the failure was answered with a reminder, and it went on to fix it.
    expect(events.slice(failedAt, completedAt).map((e) => e.type)).toContain('session.reminded');
  });

  // tmux gives a new session the PATH of the client that creates it, whatever
  // `new-session -e PATH=…` says; the pane's wrapper puts `.work/bin` first itself.
  it('`flux` is on PATH inside the session (the shim in .work/bin)', () => {
    expect(ws.read('.work/logs/which-flux.txt').trim()).toBe(`${ws.root}/.work/bin/flux`);
  });

  it('both commits are on main', async () => {
    const subjects = (await ws.git(['log', '--format=%s', 'main'])).split('\n');
    expect(subjects).toEqual(expect.arrayContaining(['Add the login endpoint', 'Add the API tests']));
  });
});
