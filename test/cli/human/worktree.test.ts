/**
 * `flux worktree list` and `flux worktree clean`: clean removes a merged
 * stage's leftover worktree and a clean, merged one of a stage no longer in
 * the plan (and their branches), and keeps a stage that is not merged, one
 * with unmerged commits, one with uncommitted files and a directory git does
 * not know, saying why for each.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { doneScript, makeRig, plan, type Rig } from './harness.js';

const PLAN = plan(
  'Worktrees',
  `    - id: shipped
      name: "Shipped"
      description: "Merged early"
      dependencies: []
      acceptance: []
      files:
        - "shipped.txt"
    - id: open
      name: "Open"
      description: "Waits for review"
      dependencies: []
      acceptance: []
      files:
        - "open.txt"`,
);

let rig: Rig;

beforeAll(async () => {
  rig = await makeRig(PLAN, {
    shipped: doneScript('shipped.txt', 'shipped'),
    open: doneScript('open.txt', 'open'),
  });
  const run = await rig.run();
  if (run.exitCode !== 0) throw new Error(`flux run failed: ${run.stderr}`);
  const verify = await rig.flux(['verify', 'shipped', '--approve']);
  if (verify.exitCode !== 0) throw new Error(`flux verify failed: ${verify.stderr}`);

  // Leftovers: the merged stage's worktree again (nothing on it that main lacks) …
  await rig.git(['worktree', 'add', '-q', '-b', 'flux/shipped', '.worktrees/shipped', 'main']);
  // … a stage no longer in the plan, merged (no commits of its own) …
  await rig.git(['worktree', 'add', '-q', '-b', 'flux/retired', '.worktrees/retired', 'main']);
  // … one with a commit main does not have …
  await rig.git(['worktree', 'add', '-q', '-b', 'flux/unmerged', '.worktrees/unmerged', 'main']);
  await rig.repo.commit(
    'Unmerged work',
    { 'wip.txt': 'wip\n' },
    path.join(rig.root, '.worktrees', 'unmerged'),
  );
  // … one with an uncommitted file …
  await rig.git(['worktree', 'add', '-q', '-b', 'flux/dirty', '.worktrees/dirty', 'main']);
  writeFileSync(path.join(rig.root, '.worktrees', 'dirty', 'scratch.txt'), 'not committed\n');
  // … and a directory that is not a worktree at all.
  mkdirSync(path.join(rig.root, '.worktrees', 'junk'));
  writeFileSync(path.join(rig.root, '.worktrees', 'junk', 'file.txt'), 'mine\n');
});

afterAll(async () => {
  await rig?.cleanup();
  await cleanupTempRepos();
});

describe('flux worktree', () => {
  it('list: every worktree with stage, branch, state, uncommitted files, commits ahead, merged', async () => {
    const result = await rig.flux(['worktree']);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Worktrees under .worktrees/ (AHEAD: commits not in main):');
    expect(lines[1]).toMatch(/^WORKTREE\s+BRANCH\s+STATE\s+UNCOMMITTED\s+AHEAD\s+MERGED$/);
    // A worktree is named after its stage: STATE says when no stage of the plan has the name.
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^dirty\s+flux\/dirty\s+not in the plan\s+1\s+0\s+yes$/),
      expect.stringMatching(/^junk\s+-\s+not a git worktree\s+-\s+-\s+-$/),
      expect.stringMatching(/^open\s+flux\/open\s+completed\s+0\s+1\s+no$/),
      expect.stringMatching(/^retired\s+flux\/retired\s+not in the plan\s+0\s+0\s+yes$/),
      expect.stringMatching(/^shipped\s+flux\/shipped\s+merged\s+0\s+0\s+yes$/),
      expect.stringMatching(/^unmerged\s+flux\/unmerged\s+not in the plan\s+0\s+1\s+no$/),
    ]);
    const json = JSON.parse((await rig.flux(['worktree', 'list', '--json'])).stdout) as Array<{
      name: string;
      stage: string | null;
      state: string | null;
      ahead: number | null;
      merged: boolean | null;
    }>;
    expect(json.find((row) => row.name === 'open')).toMatchObject({
      stage: 'open',
      state: 'completed',
      ahead: 1,
      merged: false,
    });
  });

  it('clean: removes merged leftovers, keeps everything unmerged, uncommitted or unknown, and says why', async () => {
    const result = await rig.flux(['worktree', 'clean']);
    expect(result.exitCode, result.stderr).toBe(0);
    const text = result.stdout;
    expect(text).toContain('Removed:\n');
    expect(text).toContain(
      '  .worktrees/retired (no stage of the plan has this name; deleted branch flux/retired)',
    );
    expect(text).toContain('  .worktrees/shipped (stage shipped is merged; deleted branch flux/shipped)');
    expect(text).toContain('Kept:\n');
    expect(text).toMatch(/ {2}\.worktrees\/dirty: worktree .* has uncommitted changes: scratch\.txt/);
    expect(text).toContain(
      '  .worktrees/junk: not a git worktree of this repository; Flux does not delete it',
    );
    expect(text).toContain('  .worktrees/open: stage open is completed');
    expect(text).toMatch(
      / {2}\.worktrees\/unmerged: branch 'flux\/unmerged' has 1 commit\(s\) not merged into 'main'/,
    );

    for (const gone of ['retired', 'shipped']) expect(rig.exists(`.worktrees/${gone}`)).toBe(false);
    for (const kept of ['dirty', 'junk', 'open', 'unmerged'])
      expect(rig.exists(`.worktrees/${kept}`)).toBe(true);
    expect(rig.exists('.worktrees/dirty/scratch.txt')).toBe(true);
    expect(await rig.branchExists('flux/shipped')).toBe(false);
    expect(await rig.branchExists('flux/retired')).toBe(false);
    expect(await rig.branchExists('flux/unmerged')).toBe(true);
    expect(await rig.branchExists('flux/open')).toBe(true);
    expect(await rig.stageStatus('open')).toBe('completed');
  });

  it('clean again: only what was kept is left', async () => {
    const result = await rig.flux(['worktree', 'clean']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Removed nothing\.\nKept:\n/);
  });
});
