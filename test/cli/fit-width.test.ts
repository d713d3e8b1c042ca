/**
 * Everyday output fits the terminal: `flux status` (with a plan and a task),
 * `flux sessions --all`, `flux worktree list`, `flux attach list`,
 * `flux task list` and the summary `flux run` ends with, at 80 columns when
 * the width is unknown (a pipe) and at the width COLUMNS gives.
 *
 * The plan has the README's stage ids (long enough to overflow a naive
 * table), a stage waiting for review and one pending behind it; a task idles
 * in its own tmux session beside the plan.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fluxWorkspace, planDocument, runToEnd, setConfig, type FluxWorkspace } from '../helpers/flux-run.js';
import { waitFor } from '../helpers/wait.js';

const PLAN = planDocument(
  'Implement User Authentication',
  `    - id: stage-1-models
      name: "Data Models"
      description: "Create User, Session, Token models"
      dependencies: []
      gate: auto
      acceptance: []
      files: ["src/models/*.rs"]
    - id: stage-2-api
      name: "API Endpoints"
      description: "Implement auth endpoints"
      dependencies: [stage-1-models]
      acceptance: []
      files: ["src/api/*.rs"]
    - id: stage-3-frontend
      name: "Frontend Components"
      description: "Build login/signup UI"
      dependencies: [stage-1-models]
      gate: auto
      acceptance: []
      files: ["src/components/*.tsx"]
    - id: stage-4-integration-tests
      name: "Integration tests"
      description: "End-to-end tests of the login flow"
      dependencies: [stage-2-api, stage-3-frontend]
      acceptance: []
      files: ["tests/*.rs"]`,
);

const TASK = 'docs-refresh-for-the-login-page';

/** Commits once, then idles: its session stays alive. */
const IDLER = {
  turns: [
    {
      say: 'Refreshing the docs.',
      context: 12,
      actions: [{ append: { path: 'docs/login.md', content: 'login\n' } }, { commit: 'Refresh the docs' }],
    },
  ],
};

let ws: FluxWorkspace;
let summary: string[];

/** Lines wider than `width` columns (every character these commands print is one column wide). */
function tooWide(text: string, width: number): string[] {
  return text.split('\n').filter((line) => [...line].length > width);
}

beforeAll(async () => {
  ws = await fluxWorkspace({ plan: PLAN });
  const run = await runToEnd(ws);
  expect(run.exitCode, run.stderr).toBe(0);
  // The summary: what follows the last line of the event log.
  const lines = run.stdout.trimEnd().split('\n');
  summary = lines.slice(lines.findLastIndex((line) => /^\d{4}-\d\d-\d\dT/.test(line)) + 1);
  // The task's agent idles at its first stop, so its session stays alive.
  setConfig(path.join(ws.root, '.work', 'config.toml'), { stop_reminders: 0 });
  ws.writeSim(TASK, IDLER);
  const task = await ws.flux([
    'task',
    'run',
    '--session',
    '--agent',
    'sim',
    '--id',
    TASK,
    'Refresh the documentation of the login page and every page that links to it',
  ]);
  expect(task.exitCode, task.stderr).toBe(0);
  await waitFor(
    async () => {
      const status = JSON.parse((await ws.flux(['status', '--json'])).stdout) as {
        tasks: Array<{ session: { status: string } | null }>;
      };
      return status.tasks[0]?.session?.status === 'idle' ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'the task to idle' },
  );
});

afterAll(async () => {
  const parent = path.dirname(ws?.root ?? '/nonexistent');
  await ws?.cleanup();
  if (ws !== undefined)
    rmSync(path.join(parent, `${path.basename(ws.root)}-${TASK}`), { recursive: true, force: true });
});

describe('at 80 columns when the width is unknown', () => {
  it('the summary flux run ends with', () => {
    const text = summary.join('\n');
    expect(text).toContain('Waiting on you:');
    expect(text).toContain('flux verify stage-2-api');
    expect(text).toContain('Pending until their dependencies merge: stage-4-integration-tests');
    expect(tooWide(text, 80)).toEqual([]);
  });

  it.each([
    [['status'], /^Tasks \(1 open/m],
    [['sessions', '--all'], /^SESSION\s+STATUS/m],
    [['worktree', 'list'], /^WORKTREE\s+BRANCH/m],
    [['attach', 'list'], new RegExp(`^flux-\\S+\\s+${TASK}\\s+idle`, 'm')],
    [['task', 'list'], new RegExp(`^${TASK}  running`, 'm')],
  ])('flux %j', async (args, shows) => {
    const result = await ws.flux(args, { env: { COLUMNS: undefined } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(shows);
    expect(tooWide(result.stdout, 80)).toEqual([]);
  });

  it('flux status keeps every stage, task and pointer readable', async () => {
    const text = (await ws.flux(['status'], { env: { COLUMNS: undefined } })).stdout;
    for (const id of ['stage-1-models', 'stage-2-api', 'stage-3-frontend', TASK])
      expect(text).toMatch(new RegExp(`^${id}\\s`, 'm'));
    expect(text).toMatch(/stage-2-api: review and approve or reject\s+→\s+flux verify stage-2-api/);
    expect(text).toMatch(new RegExp(`^${TASK}\\s+running\\s+s1 \\(idle\\)`, 'm'));
  });
});

describe('at the width COLUMNS gives', () => {
  it.each([[['status']], [['sessions', '--all']], [['worktree', 'list']], [['attach', 'list']]])(
    'flux %j at 60 columns',
    async (args) => {
      const result = await ws.flux(args, { env: { COLUMNS: '60' } });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(tooWide(result.stdout, 60)).toEqual([]);
      // It is narrower than at 80: the width is honoured, not fixed.
      const wide = await ws.flux(args, { env: { COLUMNS: '200' } });
      expect(tooWide(wide.stdout, 60).length).toBeGreaterThan(0);
    },
  );
});
