/**
 * SIGKILL at random moments — of the process, or of its whole process group
 * (git children with it) — of `flux verify --approve` / `flux merge`, and of
 * `flux run`, with every git call slowed so kills land inside git too. After
 * each series the next runs converge: every stage merged exactly once, each
 * recorded merge commit on the base's first-parent line, the person's
 * checkout clean, and no branch, worktree, tmux session, lock or in-flight
 * merge ref left behind.
 *
 * FLUX_STRESS_KILLS sets the kills per series (the suite runs 4; the
 * figures in docs/merge.md are from 30).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  fluxWorkspace,
  ofType,
  planDocument,
  type FluxWorkspace,
  type LogEvent,
} from '../helpers/flux-run.js';

const KILLS = Number(process.env.FLUX_STRESS_KILLS ?? 4);

/** A `git` first on PATH that waits 20 ms before running the real one. */
const slowDir = mkdtempSync(path.join(os.tmpdir(), 'flux-slow-git-'));
const realGit = ['/usr/bin/git', '/usr/local/bin/git', '/bin/git'].find((g) => existsSync(g)) ?? 'git';
writeFileSync(path.join(slowDir, 'git'), `#!/bin/sh\nsleep 0.02\nexec ${realGit} "$@"\n`);
chmodSync(path.join(slowDir, 'git'), 0o755);
afterAll(() => rmSync(slowDir, { recursive: true, force: true }));

function stagesYaml(ids: string[], gate: 'human' | 'auto', deps: Record<string, string[]> = {}): string {
  return ids
    .map(
      (id) => `    - id: ${id}
      name: "Stage ${id}"
      description: "Writes ${id}.txt"
      dependencies: [${(deps[id] ?? []).join(', ')}]
      gate: ${gate}
      acceptance:
        - "test -f out/${id}.txt"
      files:
        - "out/${id}.txt"`,
    )
    .join('\n');
}

function writes(id: string): object {
  return {
    turns: [
      {
        say: `Writing ${id}.`,
        context: 10,
        actions: [
          { write: { path: `out/${id}.txt`, content: `${id}\n` } },
          { commit: `${id}: its file` },
          { sleep: 300 },
          { flux: ['done'] },
        ],
      },
    ],
  };
}

let ws: FluxWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

async function workspace(plan: string, ids: string[]): Promise<FluxWorkspace> {
  const made = await fluxWorkspace({
    plan,
    settings: { max_parallel: 3 },
    sims: Object.fromEntries(ids.map((id) => [id, writes(id)])),
  });
  made.env.PATH = `${slowDir}${path.delimiter}${made.env.PATH ?? ''}`;
  return made;
}

/** Starts `flux …args` in its own process group; kills it (or its group) after `ms`; resolves when it is gone. */
function killAfter(w: FluxWorkspace, args: string[], ms: number, group: boolean): Promise<void> {
  const child = spawn(process.execPath, [w.bin, ...args], {
    cwd: w.root,
    env: w.env,
    stdio: 'ignore',
    detached: true,
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        if (group) process.kill(-child.pid!, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // It ended first.
      }
    }, ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function status(events: readonly LogEvent[], id: string): string | undefined {
  const last = events.filter((e) => e.stage === id && e.type.startsWith('stage.')).at(-1);
  return last?.type.replace('stage.', '');
}

async function expectConverged(w: FluxWorkspace, ids: string[]): Promise<void> {
  const events = w.events();
  const where = describeWorkspace(w);
  for (const id of ids) expect(ofType(events, 'stage.merged', id), `${id}\n${where}`).toHaveLength(1);
  const line = new Set((await w.git(['rev-list', '--first-parent', 'main'])).split('\n'));
  for (const merged of ofType(events, 'stage.merged'))
    expect(line.has(String(merged.commit)), where).toBe(true);
  for (const id of ids) expect(await w.git(['show', `main:out/${id}.txt`])).toBe(id);
  expect(await w.git(['status', '--porcelain'])).toBe('');
  expect(await w.git(['branch', '--list', 'flux/*'])).toBe('');
  expect(await w.git(['for-each-ref', 'refs/flux/'])).toBe('');
  expect(await w.worktrees()).toEqual([{ path: w.root, branch: 'main' }]);
  expect(await w.tmuxSessions()).toEqual([]);
  for (const lock of ['effects.lock', 'events.lock', 'monitor.lock'])
    expect(existsSync(path.join(w.root, '.work', lock)), lock).toBe(false);
  for (const lock of ['index.lock', 'HEAD.lock', 'refs/heads/main.lock'])
    expect(existsSync(path.join(w.root, '.git', lock)), lock).toBe(false);
}

describe('SIGKILL at random moments of merging, with git slowed', () => {
  it(`flux verify --approve and flux merge, killed up to ${KILLS} times (until all merged), then converge`, async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `v${i + 1}`);
    ws = await workspace(planDocument('Kill verify', stagesYaml(ids, 'human')), ids);
    const first = await ws.flux(['run']);
    expect(first.exitCode, first.stderr).toBe(0);
    let kills = 0;
    for (let kill = 0; kill < KILLS; kill++, kills++) {
      const events = ws.events();
      const next = ids.find((id) => status(events, id) !== 'merged');
      if (next === undefined) break;
      const args = status(events, next) === 'completed' ? ['verify', next, '--approve'] : ['merge', next];
      await killAfter(ws, args, Math.floor(Math.random() * 1500), kill % 2 === 0);
    }
    // What is left: approvals not yet recorded, then a run that merges what is approved and cleans up.
    for (const id of ids) {
      if (status(ws.events(), id) === 'completed') {
        const approved = await ws.flux(['verify', id, '--approve', '--no-merge']);
        expect(approved.exitCode, approved.stderr).toBe(0);
      }
    }
    const last = await ws.flux(['run']);
    expect(last.exitCode, `${last.stdout}\n${last.stderr}`).toBe(0);
    await expectConverged(ws, ids);
    console.log(`flux verify / flux merge: ${kills} kills, then converged`);
  }, 300_000);

  it(`flux run, killed up to ${KILLS} times while stages merge and start, then converges`, async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
    const deps = {
      b: ['a'],
      c: ['a'],
      d: ['b', 'c'],
      f: ['e'],
      g: ['d'],
      h: ['g'],
      i: ['f'],
      j: ['h', 'i'],
      k: ['j'],
      l: ['k'],
    };
    ws = await workspace(planDocument('Kill run', stagesYaml(ids, 'auto', deps)), ids);
    let kills = 0;
    for (let kill = 0; kill < KILLS; kill++, kills++) {
      if (ids.every((id) => status(ws!.events(), id) === 'merged')) break;
      await killAfter(ws, ['run'], 300 + Math.floor(Math.random() * 2500), kill % 2 === 0);
    }
    const last = await ws.flux(['run']);
    expect(last.exitCode, `${last.stdout}\n${last.stderr}`).toBe(0);
    await expectConverged(ws, ids);
    console.log(`flux run: ${kills} kills, then converged`);
  }, 300_000);
});
