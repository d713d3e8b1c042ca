/**
 * The README's three-stage plan, run to the end by `flux run` with the
 * simulated agent: real worktrees and commits, real tmux (a private server),
 * real hooks. stage-1-models first; then stage-2-api and stage-3-frontend at
 * the same time; every stage merged, and nothing left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  doubledSessions,
  finalStatuses,
  fluxWorkspace,
  indexOf,
  ofType,
  runToEnd,
  type FluxWorkspace,
  type LogEvent,
} from '../helpers/flux-run.js';

const STAGES = ['stage-1-models', 'stage-2-api', 'stage-3-frontend'];

describe('flux run: the README plan with the simulated agent', () => {
  let ws: FluxWorkspace;
  let events: LogEvent[];
  let output: string;
  let exitCode: number;
  let seconds: number;

  beforeAll(async () => {
    ws = await fluxWorkspace();
    const started = Date.now();
    ({ exitCode, stdout: output } = await runToEnd(ws));
    seconds = (Date.now() - started) / 1000;
    events = ws.events();
  }, 120_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('exits 0 with every stage merged, and says so', () => {
    expect(exitCode, describeWorkspace(ws)).toBe(0);
    expect(finalStatuses(events).stages).toEqual(Object.fromEntries(STAGES.map((id) => [id, 'merged'])));
    expect(output).toMatch(/All 3 stages are merged into main\.\n$/);
    expect(seconds).toBeLessThan(60);
  });

  it('prints one line per event as it goes (no terminal, no live table)', () => {
    expect(output).not.toContain('\u001b[');
    for (const type of [
      'stage.started',
      'session.started',
      'stage.completed',
      'stage.merged',
      'session.ended',
    ])
      expect(output).toContain(type);
    expect(output).toMatch(/stage-1-models: merged into main \([0-9a-f]{8}\)/);
  });

  it('one session per stage, each started once, each ended by Flux, none crashed', () => {
    for (const id of STAGES) {
      expect(ofType(events, 'session.started', id).map((e) => e.session)).toEqual([`${id}.s1`]);
    }
    expect(ofType(events, 'session.crashed')).toEqual([]);
    expect(Object.values(finalStatuses(events).sessions)).toEqual(['ended', 'ended', 'ended']);
    expect(doubledSessions(events)).toEqual([]);
  });

  it('respects the dependencies: stage-2 and stage-3 start only after stage-1 is merged', () => {
    const merged1 = indexOf(events, 'stage.merged', 'stage-1-models');
    expect(merged1).toBeGreaterThan(indexOf(events, 'stage.completed', 'stage-1-models'));
    expect(indexOf(events, 'stage.started', 'stage-2-api')).toBeGreaterThan(merged1);
    expect(indexOf(events, 'stage.started', 'stage-3-frontend')).toBeGreaterThan(merged1);
  });

  it('runs stage-2-api and stage-3-frontend at the same time: both started before either completed', () => {
    const lastStart = Math.max(
      indexOf(events, 'session.started', 'stage-2-api'),
      indexOf(events, 'session.started', 'stage-3-frontend'),
    );
    const firstCompletion = Math.min(
      indexOf(events, 'stage.completed', 'stage-2-api'),
      indexOf(events, 'stage.completed', 'stage-3-frontend'),
    );
    expect(lastStart).toBeGreaterThan(0);
    expect(lastStart, describeWorkspace(ws)).toBeLessThan(firstCompletion);
  });

  it('records acceptance results and the hooks the agent called', () => {
    for (const id of STAGES) {
      const completed = ofType(events, 'stage.completed', id)[0]!;
      expect(completed.forced).toBe(false);
      const results = completed.results as Array<{ command: string; exit_code: number }>;
      expect(results.length).toBeGreaterThan(0);
      expect(results.every((r) => r.exit_code === 0 && r.command.startsWith('test -f '))).toBe(true);
      expect(ofType(events, 'stage.verified', id)).toEqual([expect.objectContaining({ by: 'auto' })]);
      // SessionStart, UserPromptSubmit, StatusLine came through the hooks.
      const ofSession = events.filter((e) => e.session === `${id}.s1`).map((e) => e.type);
      expect(ofSession).toEqual(
        expect.arrayContaining(['session.idle', 'session.working', 'session.context']),
      );
    }
  });

  it('merges each stage into main with a merge commit carrying the agent commit', async () => {
    const subjects = (await ws.git(['log', '--format=%s', 'main'])).split('\n');
    for (const id of STAGES) {
      expect(subjects.filter((s) => s.startsWith(`Merge stage ${id}:`))).toHaveLength(1);
      expect(subjects.filter((s) => s.startsWith(`${id}: `))).toHaveLength(1);
    }
    for (const merged of ofType(events, 'stage.merged')) {
      const parents = (await ws.git(['rev-list', '--parents', '-n', '1', merged.commit as string])).split(
        ' ',
      );
      expect(parents).toHaveLength(3);
      expect(
        await ws.git(['merge-base', '--is-ancestor', merged.commit as string, 'main']).then(() => true),
      ).toBe(true);
    }
    const files = (await ws.git(['ls-tree', '-r', '--name-only', 'main'])).split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'src/models/stage-1-models.rs',
        'src/api/stage-2-api.rs',
        'src/components/stage-3-frontend.tsx',
      ]),
    );
    expect(await ws.git(['status', '--porcelain'])).toBe('');
  });

  it('leaves no worktree, no stage branch and no tmux session behind', async () => {
    expect(await ws.worktrees()).toEqual([{ path: ws.root, branch: 'main' }]);
    expect(await ws.git(['branch', '--list', 'flux/*'])).toBe('');
    expect(await ws.tmuxSessions()).toEqual([]);
  });
});
