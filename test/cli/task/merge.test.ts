/**
 * Where and whether `flux task cleanup` merges: into the branch checked out
 * in the main worktree (not necessarily the one the task forked from); a
 * conflict aborts the merge, keeps the worktree and the branch and says how
 * to resolve it (exit 8), and a second cleanup after resolving merges; a
 * person's uncommitted file in the way, or a detached HEAD, is refused; nothing is lost.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doneScript, makeTaskRig, type TaskRig } from './harness.js';

describe('flux task cleanup: the merge', () => {
  let rig: TaskRig;
  const worktree = (id: string): string => path.join(rig.parent, `proj-${id}`);

  async function doneTask(id: string, script: object): Promise<void> {
    rig.writeSim(id, script);
    const run = await rig.flux(['task', 'run', '--id', id, `Task ${id}`]);
    expect(run.exitCode, run.stderr).toBe(0);
    await rig.waitForEvent('stage.completed', id);
  }

  beforeAll(async () => {
    rig = await makeTaskRig();
    rig.initWorkspace();
    await doneTask('clash', doneScript('README.md', 'the task says this'));
    await doneTask('other', doneScript('other.txt', 'other work'));
    await doneTask('refused', doneScript('refused.txt', 'x'));
    // Meanwhile main changes the same line.
    rig.commit('Main edits the README', { 'README.md': '# proj\nmain says that\n' });
  });
  afterAll(() => rig.cleanup());

  it('a conflict: exit 8, the merge aborted, worktree and branch kept, how to resolve', async () => {
    const head = rig.git(['rev-parse', 'HEAD']);
    const result = await rig.flux(['task', 'cleanup', 'clash']);
    expect(result.exitCode).toBe(8);
    expect(result.stderr).toContain('conflicts in README.md');
    expect(result.stderr).toContain('main is unchanged');
    expect(result.stderr).toContain(`cd ${worktree('clash')}`);
    expect(result.stderr).toContain('git merge main');
    expect(result.stderr).toContain('flux task cleanup clash');
    expect(rig.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(rig.git(['status', '--porcelain'])).toBe('');
    expect(existsSync(path.join(rig.root, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(existsSync(worktree('clash'))).toBe(true);
    expect(rig.branchExists('feature/clash')).toBe(true);
    expect(
      rig
        .events()
        .filter((e) => e.stage === 'clash')
        .at(-1),
    ).toMatchObject({
      type: 'stage.merge_failed',
      conflicts: ['README.md'],
    });
    const status = await rig.flux(['task', 'status', 'clash']);
    expect(status.stdout).toContain('verified (merge conflicts in README.md)');
    expect(status.stdout).toContain('its merge did not happen');
  });

  it('after resolving in the worktree, cleanup merges', async () => {
    const wt = worktree('clash');
    expect(() => rig.git(['merge', 'main'], wt)).toThrow();
    writeFileSync(path.join(wt, 'README.md'), '# proj\nmain says that\nthe task says this\n');
    rig.git(['add', 'README.md'], wt);
    rig.git(['commit', '--quiet', '--no-edit'], wt);
    const result = await rig.flux(['task', 'cleanup', 'clash']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(path.join(rig.root, 'README.md'), 'utf8')).toContain('the task says this');
    expect(existsSync(wt)).toBe(false);
    expect(rig.branchExists('feature/clash')).toBe(false);
    // Verified once, then merged: no second completed or verified.
    const types = rig
      .events()
      .filter((e) => e.stage === 'clash' && e.type.startsWith('stage.'))
      .map((e) => e.type);
    expect(types.slice(-4)).toEqual([
      'stage.completed',
      'stage.verified',
      'stage.merge_failed',
      'stage.merged',
    ]);
  });

  it('merges into the branch checked out now, not the one the task forked from', async () => {
    rig.git(['switch', '--quiet', '-c', 'release']);
    const result = await rig.flux(['task', 'cleanup', 'other']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Merged feature/other into release');
    expect(rig.git(['show', 'release:other.txt'])).toBe('other work');
    expect(() => rig.git(['show', 'main:other.txt'])).toThrow();
    rig.git(['switch', '--quiet', 'main']);
  });

  it("refuses (exit 3) where a person's uncommitted file stands in the way, keeping it, and on a detached HEAD", async () => {
    const before = rig.events().filter((e) => e.stage === 'refused' && e.type.startsWith('stage.')).length;
    const mine = path.join(rig.root, 'refused.txt');
    writeFileSync(mine, 'mine, not committed\n');
    const head = rig.git(['rev-parse', 'HEAD']);
    const dirty = await rig.flux(['task', 'cleanup', 'refused']);
    expect(dirty.exitCode).toBe(3);
    expect(dirty.stderr).toContain('would be overwritten by the merge: refused.txt');
    expect(dirty.stderr).toContain('hint: commit or stash your changes');
    expect(readFileSync(mine, 'utf8')).toBe('mine, not committed\n');
    expect(rig.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(
      rig
        .events()
        .filter((e) => e.stage === 'refused')
        .at(-1),
    ).toMatchObject({
      type: 'stage.merge_failed',
    });
    rmSync(mine);
    rig.git(['switch', '--quiet', '--detach']);
    const after = rig.events().length;
    const detached = await rig.flux(['task', 'cleanup', 'refused']);
    expect(detached.exitCode).toBe(3);
    expect(detached.stderr).toContain('detached HEAD');
    rig.git(['switch', '--quiet', 'main']);
    expect(rig.events().length).toBe(after);
    expect(
      rig.events().filter((e) => e.stage === 'refused' && e.type.startsWith('stage.')).length,
    ).toBeGreaterThan(before);
    expect(existsSync(worktree('refused'))).toBe(true);
  });
});
