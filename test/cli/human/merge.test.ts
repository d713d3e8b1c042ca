/**
 * Merging after approval: two parallel stages write the same file, so the
 * second approval stops on a conflict (exit 8) with the worktree and branch
 * kept; `flux merge` refuses while a person's uncommitted edit is in the way
 * (exit 3), and goes past one elsewhere;
 * resolved in the stage's worktree, `flux merge` succeeds. `--no-merge`
 * approves without merging, and `flux merge` finishes it. With
 * `[merge] resolve = "manual"`: a conflict waits for a person.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { isolatedGitEnv } from '../../helpers/temp-repo.js';
import { doneScript, makeRig, plan, type Rig } from './harness.js';

const PLAN = plan(
  'Conflicts',
  `    - id: left
      name: "Left"
      description: "Write the shared file one way"
      dependencies: []
      acceptance:
        - "test -f shared.txt"
      files:
        - "shared.txt"
    - id: right
      name: "Right"
      description: "Write the shared file another way"
      dependencies: []
      acceptance:
        - "test -f shared.txt"
      files:
        - "shared.txt"
    - id: extra
      name: "Extra"
      description: "Write its own file"
      dependencies: []
      acceptance: []
      files:
        - "extra.txt"
    - id: after
      name: "After"
      description: "Needs right"
      dependencies: [right]
      acceptance: []
      files:
        - "after.txt"`,
);

let rig: Rig;
let mainBefore: string;

beforeAll(async () => {
  rig = await makeRig(
    PLAN,
    {
      left: doneScript('shared.txt', 'left'),
      right: doneScript('shared.txt', 'right'),
      extra: doneScript('extra.txt', 'extra'),
      // A person resolves conflicts here (the resolver sessions are test/run/merge-queue.test.ts's).
    },
    { resolve: 'manual' },
  );
  const run = await rig.run();
  if (run.exitCode !== 0) throw new Error(`flux run failed: ${run.stderr}`);
});

afterAll(async () => {
  await rig?.cleanup();
  await cleanupTempRepos();
});

describe('merging approved stages', () => {
  it('the three parallel stages completed', async () => {
    const status = await rig.status();
    expect(status.stages.map((s) => [s.id, s.status])).toEqual([
      ['left', 'completed'],
      ['right', 'completed'],
      ['extra', 'completed'],
      ['after', 'pending'],
    ]);
  });

  it('flux merge of a completed stage: exit 3, review it first', async () => {
    const result = await rig.flux(['merge', 'left']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("stage 'left' is completed, not verified");
    expect(result.stderr).toContain('hint: review it first: `flux verify left`');
  });

  it('approving the first merges it', async () => {
    const result = await rig.flux(['verify', 'left', '--approve']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Merged left into main/);
    mainBefore = await rig.git(['rev-parse', 'main']);
  });

  it('approving the second shows the predicted conflict, exits 8, keeps worktree and branch', async () => {
    const result = await rig.flux(['verify', 'right', '--approve']);
    expect(result.exitCode).toBe(8);
    expect(result.stdout).toContain('Merge into main: would conflict in shared.txt');
    expect(result.stdout).toContain('Approved right.');
    expect(result.stderr).toContain(
      'error: right was not merged: merging flux/right into main conflicts in shared.txt',
    );
    expect(result.stderr).toContain('the worktree');
    expect(result.stderr).toContain('and the branch flux/right are kept');
    expect(result.stderr).toContain('git merge main');
    expect(result.stderr).toContain('  flux merge right');
    expect(rig.exists('.worktrees/right')).toBe(true);
    expect(await rig.branchExists('flux/right')).toBe(true);
    // The main worktree is as it was: the merge was aborted.
    expect(await rig.git(['rev-parse', 'main'])).toBe(mainBefore);
    expect(await rig.git(['status', '--porcelain'])).toBe('');
    expect(rig.read('shared.txt')).toBe('left\n');
  });

  it('the stage stays verified, with the reason in flux status', async () => {
    const status = await rig.status();
    const row = status.stages.find((s) => s.id === 'right')!;
    expect(row.status).toBe('verified');
    expect(row.reason).toContain('merge conflicts in shared.txt');
    expect(status.attention).toContainEqual({
      stage: 'right',
      what: expect.stringContaining('merge did not happen: merge conflicts in shared.txt'),
      command: 'flux merge right',
    });
    expect(rig.events().at(-1)).toMatchObject({
      type: 'stage.merge_failed',
      stage: 'right',
      conflicts: ['shared.txt'],
    });
  });

  it('resolved in the worktree (base merged into the branch), flux merge succeeds', async () => {
    const worktree = path.join(rig.root, '.worktrees', 'right');
    const env = { ...isolatedGitEnv, GIT_EDITOR: 'true' };
    const conflicted = await execa('git', ['merge', 'main'], { cwd: worktree, env, reject: false });
    expect(conflicted.exitCode).not.toBe(0);
    writeFileSync(path.join(worktree, 'shared.txt'), 'left\nright\n');
    await execa('git', ['add', 'shared.txt'], { cwd: worktree, env });
    await execa('git', ['commit', '--no-edit'], { cwd: worktree, env });

    // A person's uncommitted edit to a file the merge changes stops it (exit 3), and is kept.
    const shared = path.join(rig.root, 'shared.txt');
    const readme = path.join(rig.root, 'README.md');
    const original = readFileSync(shared, 'utf8');
    writeFileSync(shared, `${original}an edit in progress\n`);
    const refused = await rig.flux(['merge', 'right']);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain(
      `error: right was not merged: uncommitted changes in ${rig.root} would be overwritten by the merge: shared.txt; main was not moved`,
    );
    expect(refused.stderr).toMatch(/hint: .*commit or stash your changes in .*then merge again/);
    expect(rig.events().at(-1)).toMatchObject({ type: 'stage.merge_failed', stage: 'right', conflicts: [] });
    expect(readFileSync(shared, 'utf8')).toBe(`${original}an edit in progress\n`);
    expect(await rig.git(['rev-parse', 'main'])).toBe(mainBefore);
    writeFileSync(shared, original);
    // One elsewhere does not: the merge goes past it and leaves it as it was.
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}my notes\n`);

    const result = await rig.flux(['merge', 'right']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Last attempt: ');
    expect(result.stdout).toContain('Merge into main: clean (predicted)');
    expect(result.stdout).toMatch(/Merged right into main: [0-9a-f]{12}/);
    expect(result.stdout).toContain('Removed its worktree and branch flux/right');
    expect(result.stdout).toContain('Ready now: after');
    expect(rig.read('shared.txt')).toBe('left\nright\n');
    expect(rig.read('README.md')).toMatch(/my notes\n$/);
    expect(await rig.git(['status', '--porcelain'])).toBe(' M README.md');
    expect(rig.exists('.worktrees/right')).toBe(false);
    expect(await rig.branchExists('flux/right')).toBe(false);
    expect(await rig.stageStatus('right')).toBe('merged');
    expect(await rig.stageStatus('after')).toBe('ready');
  });

  it('flux merge of a merged stage: nothing to do, exit 0', async () => {
    const result = await rig.flux(['merge', 'left']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^left is already merged \([0-9a-f]{12}\)\. Nothing to do\.\n$/);
  });

  it('flux merge of a stage that has not started: exit 3', async () => {
    const result = await rig.flux(['merge', 'after']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("stage 'after' is ready, not verified");
  });

  it('verify --approve --no-merge approves only; flux merge merges it', async () => {
    const approved = await rig.flux(['verify', 'extra', '--approve', '--no-merge']);
    expect(approved.exitCode, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('Not merged (--no-merge): `flux merge extra` merges it.');
    const row = (await rig.status()).stages.find((s) => s.id === 'extra')!;
    expect(row).toMatchObject({ status: 'verified', reason: null });
    expect(await rig.branchExists('flux/extra')).toBe(true);
    expect(rig.exists('extra.txt')).toBe(false);

    const merged = await rig.flux(['merge', 'extra']);
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/Merged extra into main/);
    expect(rig.read('extra.txt')).toBe('extra\n');
    expect(await rig.stageStatus('extra')).toBe('merged');
  });
});
