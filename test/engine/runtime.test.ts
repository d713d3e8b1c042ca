/**
 * The runtime's decisions as specifications, on in-memory git and tmux
 * (test/fakes/world.ts): given the events in the log and the world as it
 * is, when an effect is performed, then these events are appended and these
 * changes made to the world — or nothing happens, or it throws. The real
 * git and tmux behind the same calls are exercised in test/effects and
 * test/run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfigToml, loadConfig } from '../../src/engine/config.js';
import { Engine } from '../../src/engine/engine.js';
import { decideReconcile } from '../../src/engine/reconcile.js';
import { Runtime } from '../../src/engine/runtime.js';
import { workspaceAt } from '../../src/engine/workspace.js';
import type { FluxEvent, NewEvent } from '../../src/log/events.js';
import { fakeWorld, type FakeWorld } from '../fakes/world.js';
import { plan, stageDef } from './spec.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const initialized: NewEvent[] = [
  { type: 'plan.initialized', plan: plan([stageDef('a'), stageDef('b', ['a'])]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'a' },
];
const started: NewEvent[] = [
  { type: 'stage.started', stage: 'a', session: 'a.s1' },
  { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'sim', tmux: 'flux-a' },
];
const completed: NewEvent[] = [
  ...started,
  { type: 'stage.completed', stage: 'a', forced: false },
  { type: 'session.ended', session: 'a.s1', reason: 'done' },
];
const verified: NewEvent[] = [...completed, { type: 'stage.verified', stage: 'a', by: 'human' }];

/** Without the envelope, for comparing. */
function bare(events: readonly FluxEvent[]): NewEvent[] {
  return events.map(({ v: _v, seq: _seq, at: _at, ...rest }) => rest as NewEvent);
}

function given(events: NewEvent[], shape: (world: FakeWorld, root: string) => void = () => {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flux-runtime-spec-'));
  dirs.push(root);
  const ws = workspaceAt(root);
  mkdirSync(ws.workDir, { recursive: true });
  writeFileSync(ws.logPath, '');
  writeFileSync(ws.configPath, defaultConfigToml('doc/plans/PLAN.md', 'main'));
  const engine = new Engine(ws);
  engine.commit(() => ({ events, effects: [] }));
  const world = fakeWorld(root);
  shape(world, root);
  const runtime = new Runtime(engine, loadConfig(ws.configPath), { git: world.git, tmux: world.tmux });
  const before = engine.load().seq;
  const appended = () => bare(engine.load().seq === before ? [] : readAfter(engine, before));
  return {
    world,
    runtime,
    /** The outcome is read by awaiting one of `then`, `thenNothingHappened` or `thenThrows`. */
    when(act: (runtime: Runtime) => Promise<unknown>) {
      const acted = act(runtime).then(
        () => undefined,
        (caught: unknown) => caught ?? new Error('rejected'),
      );
      return {
        async then(events: NewEvent[], calls?: string[]): Promise<void> {
          const error = await acted;
          if (error !== undefined) throw error;
          expect(appended()).toEqual(events);
          if (calls !== undefined) expect(world.calls).toEqual(calls);
        },
        async thenNothingHappened(): Promise<void> {
          const error = await acted;
          if (error !== undefined) throw error;
          expect(appended()).toEqual([]);
          expect(world.calls).toEqual([]);
        },
        async thenThrows(message: RegExp): Promise<void> {
          const error = await acted;
          expect(error, 'it should have thrown').toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(message);
        },
      };
    },
  };
}

function readAfter(engine: Engine, seq: number): FluxEvent[] {
  const all: FluxEvent[] = [];
  for (const line of readLines(engine.ws.logPath)) {
    const event = JSON.parse(line) as FluxEvent;
    if (event.seq > seq) all.push(event);
  }
  return all;
}

function readLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

const worktreeOf = (root: string, id: string) => path.join(root, '.worktrees', id);

describe('runtime: merging a verified stage', () => {
  it('merges, records the commit, makes the dependent ready, and cleans up', async () => {
    const spec = given([...initialized, ...verified], (world, root) => {
      world.branches.set('flux/a', 'h-a');
      world.worktrees.set(worktreeOf(root, 'a'), 'flux/a');
      world.sessions.add('flux-a');
    });
    const root = spec.runtime.root;
    await spec
      .when((rt) => rt.merge('a'))
      .then(
        [
          { type: 'stage.merged', stage: 'a', commit: 'm-flux/a' },
          { type: 'stage.ready', stage: 'b' },
        ],
        [
          'git.merge flux/a→main',
          'tmux.kill flux-a',
          `git.removeWorktree ${worktreeOf(root, 'a')}`,
          'git.deleteBranch flux/a',
        ],
      );
  });

  it('a stage another process merged meanwhile: nothing happens, and the recorded merge is reported', async () => {
    const spec = given([...initialized, ...verified, { type: 'stage.merged', stage: 'a', commit: 'm-1' }]);
    let outcome: unknown;
    await spec.when(async (rt) => (outcome = await rt.merge('a'))).thenNothingHappened();
    expect(outcome).toEqual({ kind: 'already-merged', commit: 'm-1', notes: [] });
  });

  it('a stage whose branch was deleted by hand: merge_failed with the way back, git never asked to merge', async () => {
    const spec = given([...initialized, ...verified]);
    await spec
      .when((rt) => rt.merge('a'))
      .then(
        [
          {
            type: 'stage.merge_failed',
            stage: 'a',
            reason: 'its branch flux/a is gone (deleted by hand?): nothing was merged',
            conflicts: [],
            hint: 'if the commits are on another branch, recreate it (git branch flux/a <commit>), then `flux merge a`; `flux stage a reset` starts the stage over',
            cause: 'refused',
          },
        ],
        [],
      );
  });

  it('a stage completed by hand before any session: recorded merged with no commit', async () => {
    const spec = given([
      ...initialized,
      { type: 'stage.completed', stage: 'a', forced: true },
      { type: 'stage.verified', stage: 'a', by: 'human' },
    ]);
    await spec
      .when((rt) => rt.merge('a'))
      .then(
        [
          { type: 'stage.merged', stage: 'a', commit: null },
          { type: 'stage.ready', stage: 'b' },
        ],
        [],
      );
  });

  it('a conflict: merge_failed with the files, nothing removed', async () => {
    const spec = given([...initialized, ...verified], (world, root) => {
      world.branches.set('flux/a', 'h-a');
      world.worktrees.set(worktreeOf(root, 'a'), 'flux/a');
      world.mergeOutcomes.set('flux/a', { kind: 'conflict', conflicts: ['x.txt'], notes: [] });
    });
    await spec
      .when((rt) => rt.merge('a'))
      .then(
        [
          {
            type: 'stage.merge_failed',
            stage: 'a',
            reason: 'merge conflicts in x.txt',
            conflicts: ['x.txt'],
            cause: 'conflict',
            // [merge] resolve = "agent" by default: a resolver session of the stage is due.
            next: 'agent',
          },
        ],
        ['git.merge flux/a→main'],
      );
  });

  it('a conflict with [merge] resolve = "manual": it waits for a person', async () => {
    const spec = given([...initialized, ...verified], (world, root) => {
      world.branches.set('flux/a', 'h-a');
      world.worktrees.set(worktreeOf(root, 'a'), 'flux/a');
      world.mergeOutcomes.set('flux/a', { kind: 'conflict', conflicts: ['x.txt'], head: 'h-a', notes: [] });
    });
    spec.runtime.config.merge.resolve = 'manual';
    await spec
      .when((rt) => rt.merge('a'))
      .then([
        {
          type: 'stage.merge_failed',
          stage: 'a',
          reason: 'merge conflicts in x.txt',
          conflicts: ['x.txt'],
          cause: 'conflict',
          head: 'h-a',
          next: 'person',
        },
      ]);
  });

  it('a conflict once merge.resolve_attempts are used up: it waits for a person', async () => {
    const back = (n: number): NewEvent[] => [
      {
        type: 'stage.merge_failed',
        stage: 'a',
        reason: 'merge conflicts in x.txt',
        conflicts: ['x.txt'],
        cause: 'conflict',
        next: 'agent',
      },
      { type: 'stage.started', stage: 'a', session: `a.s${n}` },
      { type: 'session.started', session: `a.s${n}`, stage: 'a', agent: 'sim', tmux: 'flux-a' },
      { type: 'stage.completed', stage: 'a', forced: false },
      { type: 'stage.verified', stage: 'a', by: 'human' },
    ];
    const spec = given([...initialized, ...verified, ...back(2), ...back(3)], (world, root) => {
      world.branches.set('flux/a', 'h-a');
      world.worktrees.set(worktreeOf(root, 'a'), 'flux/a');
      world.mergeOutcomes.set('flux/a', { kind: 'conflict', conflicts: ['x.txt'], notes: [] });
    });
    await spec
      .when((rt) => rt.merge('a'))
      .then([
        expect.objectContaining({
          type: 'stage.merge_failed',
          cause: 'conflict',
          next: 'person',
        }) as NewEvent,
      ]);
  });

  it('checks that fail on the merged tree: merge_failed with the results, back to its agent', async () => {
    const results = [
      { command: 'npm test', exit_code: 1, timed_out: false, duration_ms: 3, output_tail: 'FAIL\n' },
    ];
    const spec = given([...initialized, ...verified], (world, root) => {
      world.branches.set('flux/a', 'h-a');
      world.worktrees.set(worktreeOf(root, 'a'), 'flux/a');
      world.mergeOutcomes.set('flux/a', {
        kind: 'checks-failed',
        commit: 'm-1',
        head: 'h-a',
        base: 'b-0',
        results,
        notes: [],
      });
    });
    await spec
      .when((rt) => rt.merge('a'))
      .then(
        [
          {
            type: 'stage.merge_failed',
            stage: 'a',
            reason: 'the merged tree fails the checks: npm test',
            conflicts: [],
            cause: 'checks',
            head: 'h-a',
            commit: 'm-1',
            base_commit: 'b-0',
            results,
            next: 'agent',
          },
        ],
        ['git.merge flux/a→main'],
      );
  });

  it('uncommitted changes in the stage worktree: refused before git merges anything', async () => {
    const spec = given([...initialized, ...verified], (world, root) => {
      world.branches.set('flux/a', 'h-a');
      world.worktrees.set(worktreeOf(root, 'a'), 'flux/a');
      world.dirty.set(worktreeOf(root, 'a'), ['notes.txt']);
      mkdirSync(worktreeOf(root, 'a'), { recursive: true });
    });
    await spec
      .when((rt) => rt.merge('a'))
      .then(
        [
          {
            type: 'stage.merge_failed',
            stage: 'a',
            reason: "the stage's worktree has uncommitted changes: notes.txt",
            conflicts: [],
            hint: 'commit them in .worktrees/a (only commits are merged) or discard them, then `flux merge a`',
            cause: 'refused',
          },
        ],
        [],
      );
  });

  it('a stage that is not verified: nothing happens', async () => {
    const spec = given([...initialized, ...completed]);
    await spec.when((rt) => rt.merge('a')).thenNothingHappened();
  });

  it('a failure that is not Flux’s own (a bug) is thrown, not recorded', async () => {
    const spec = given([...initialized, ...verified], (world) => {
      world.branches.set('flux/a', 'h-a');
      world.git.merge = async () => {
        throw new TypeError('bug');
      };
    });
    await spec.when((rt) => rt.merge('a')).thenThrows(/bug/);
  });
});

describe('runtime: cleaning up after a merge', () => {
  const merged: NewEvent[] = [
    ...initialized,
    ...verified,
    { type: 'stage.merged', stage: 'a', commit: 'm-a' },
    { type: 'stage.ready', stage: 'b' },
  ];

  it('a worktree that cannot go is recorded once, and reconcile asks no more', async () => {
    const spec = given(merged, (world, root) => {
      world.branches.set('flux/a', 'h-a');
      world.worktrees.set(worktreeOf(root, 'a'), 'flux/a');
      world.dirty.set(worktreeOf(root, 'a'), ['scratch.txt']);
    });
    const root = spec.runtime.root;
    await spec
      .when((rt) => rt.cleanup('a'))
      .then([
        {
          type: 'cleanup.failed',
          stage: 'a',
          reason: `worktree ${worktreeOf(root, 'a')} has uncommitted changes: scratch.txt`,
        },
      ]);
    const state = spec.runtime.engine.load();
    const decision = decideReconcile(state, { tmux: null, worktrees: new Set(['a']), branches: new Set() });
    expect(decision.effects).toEqual([]);
  });

  it('reconcile asks to clean up a merged stage whose branch was left behind', () => {
    const spec = given(merged);
    const decision = decideReconcile(spec.runtime.engine.load(), {
      tmux: null,
      worktrees: new Set(),
      branches: new Set(['a']),
    });
    expect(decision.effects).toEqual([{ type: 'cleanupStage', params: { stage: 'a' } }]);
  });
});

describe('runtime: launching', () => {
  it('a session that is over before it was launched (another process ended it): nothing happens', async () => {
    const spec = given([
      ...initialized,
      ...started,
      { type: 'session.crashed', session: 'a.s1', reason: 'gone' },
    ]);
    await spec
      .when((rt) => rt.perform([{ type: 'launchSession', params: { stage: 'a', session: 'a.s1' } }]))
      .thenNothingHappened();
  });
});
