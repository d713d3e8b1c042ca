/**
 * Merges that must never record what did not happen, and that recover from
 * what a crash or a person leaves: a stage branch deleted by hand is refused
 * (exit 3) with the way back; a merge a person (or a process that died before
 * recording it) already made is recorded as that merge commit, not as
 * "HEAD now"; a stale git lock is cleared and said so; a merge killed after
 * the base moved but before it was recorded is found and recorded once; a
 * merged stage's leftover branch is removed by `flux run`.
 */
import { spawn } from 'node:child_process';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';
import { doneScript, makeRig, plan, type Rig } from './harness.js';

const IDS = ['gone', 'byhand', 'locked', 'slowhook', 'leftover'];

const PLAN = plan(
  'Recovery',
  IDS.map(
    (id) => `    - id: ${id}
      name: "Stage ${id}"
      description: "Writes ${id}.txt"
      dependencies: []
      acceptance:
        - "test -f ${id}.txt"
      files:
        - "${id}.txt"`,
  ).join('\n'),
);

let rig: Rig;

beforeAll(async () => {
  rig = await makeRig(PLAN, Object.fromEntries(IDS.map((id) => [id, doneScript(`${id}.txt`, id)])));
  const run = await rig.run();
  if (run.exitCode !== 0) throw new Error(`flux run failed: ${run.stderr}`);
}, 120_000);

afterAll(async () => {
  await rig?.cleanup();
  await cleanupTempRepos();
});

const merges = (id: string) => rig.events().filter((e) => e.type === 'stage.merged' && e.stage === id);

describe('merges that recover, and never record what did not happen', () => {
  it('a stage branch deleted by hand: exit 3, nothing recorded merged, and the way back', async () => {
    const worktree = path.join(rig.root, '.worktrees', 'gone');
    await rig.git(['checkout', '--quiet', '--detach'], worktree);
    await rig.git(['branch', '-D', 'flux/gone']);
    const mainBefore = await rig.git(['rev-parse', 'main']);
    const result = await rig.flux(['verify', 'gone', '--approve']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(
      'error: gone was not merged: its branch flux/gone is gone (deleted by hand?): nothing was merged',
    );
    expect(result.stderr).toContain('its worktree .worktrees/gone still has the commits');
    expect(result.stderr).toContain('`git -C .worktrees/gone switch -c flux/gone`, then `flux merge gone`');
    expect(merges('gone')).toHaveLength(0);
    expect(await rig.git(['rev-parse', 'main'])).toBe(mainBefore);
    expect(await rig.stageStatus('gone')).toBe('verified');

    // Following the hint lands it.
    await rig.git(['switch', '--quiet', '-c', 'flux/gone'], worktree);
    const merged = await rig.flux(['merge', 'gone']);
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(await rig.git(['show', 'main:gone.txt'])).toBe('gone');
    expect(merges('gone')).toHaveLength(1);
  });

  it('a merge made before Flux recorded it is recorded as that merge commit, not HEAD now', async () => {
    expect((await rig.flux(['verify', 'byhand', '--approve', '--no-merge'])).exitCode).toBe(0);
    await rig.git(['merge', '--no-ff', '--no-edit', '-m', 'merged by hand', 'flux/byhand']);
    const byHand = await rig.git(['rev-parse', 'HEAD']);
    await rig.repo.commit('main moves on', { 'later.txt': 'later\n' });
    const result = await rig.flux(['merge', 'byhand']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Already merged: byhand into main: ${byHand.slice(0, 12)}`);
    expect(merges('byhand')).toEqual([expect.objectContaining({ commit: byHand })]);
  });

  it('a stale .git/HEAD.lock left by a killed git is removed, said so, and the merge lands', async () => {
    expect((await rig.flux(['verify', 'locked', '--approve', '--no-merge'])).exitCode).toBe(0);
    const lock = path.join(rig.root, '.git', 'HEAD.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const result = await rig.flux(['merge', 'locked']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`removed ${lock}, left by a git command that was killed`);
    expect(existsSync(lock)).toBe(false);
    expect(merges('locked')).toHaveLength(1);
  });

  it('flux verify killed after the base moved, before it recorded the merge: the next records that merge, once', async () => {
    // git's post-merge hook runs once `git merge --ff-only` has moved the base: a slow one holds Flux there.
    const hook = path.join(rig.root, '.git', 'hooks', 'post-merge');
    const marker = path.join(rig.root, '.git', 'in-hook');
    writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\nsleep 30\n`, { mode: 0o755 });
    const child = spawn(process.execPath, [rig.bin, 'verify', 'slowhook', '--approve'], {
      cwd: rig.root,
      env: rig.env,
      stdio: 'ignore',
      detached: true,
    });
    try {
      await waitFor(() => (existsSync(marker) ? true : undefined), {
        timeoutMs: 60_000,
        what: 'the hook to run',
      });
      process.kill(-child.pid!, 'SIGKILL');
    } finally {
      writeFileSync(hook, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    }
    // The base holds the merge, whole; nothing says so yet.
    const landed = await rig.git(['rev-parse', 'main']);
    expect(await rig.git(['show', 'main:slowhook.txt'])).toBe('slowhook');
    expect(await rig.git(['status', '--porcelain'])).toBe('');
    expect(merges('slowhook')).toHaveLength(0);
    const result = await rig.flux(['merge', 'slowhook']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Already merged: slowhook into main: ${landed.slice(0, 12)}`);
    expect(merges('slowhook')).toEqual([expect.objectContaining({ commit: landed })]);
  });

  it("a merged stage's branch left behind (a crash before its cleanup) is removed by the next flux run", async () => {
    const result = await rig.flux(['verify', 'leftover', '--approve']);
    expect(result.exitCode, result.stderr).toBe(0);
    const merged = merges('leftover')[0]!;
    // What a crash between the merge and its cleanup leaves: the branch still there.
    await rig.git(['branch', 'flux/leftover', `${String(merged.commit)}^2`]);
    const run = await rig.run();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await rig.branchExists('flux/leftover')).toBe(false);
    expect(await rig.git(['branch', '--list', 'flux/*'])).toBe('');
    expect(existsSync(path.join(rig.root, '.work', 'integration'))).toBe(false);
  });
});
