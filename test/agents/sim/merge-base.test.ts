/**
 * The sim's resolver move: `keepBothSides` on conflict text, and `mergeBase`
 * on a real repository (a conflict kept both ways, then committed).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keepBothSides, mergeBase } from '../../../src/agents/sim/merge-base.js';
import { isolateGitConfig, tempRepo, type TempRepo } from '../../helpers/temp-repo.js';

beforeAll(isolateGitConfig);

describe('keepBothSides', () => {
  it("keeps this branch's lines, then the base's, without the markers", () => {
    const text = 'top\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> main\nbottom\n';
    expect(keepBothSides(text)).toBe('top\nmine\ntheirs\nbottom\n');
  });

  it('drops a diff3 base section, handles several hunks and a last line without a newline', () => {
    const text =
      '<<<<<<< HEAD\na1\n||||||| base\nold\n=======\nb1\n>>>>>>> main\nmid\n<<<<<<< HEAD\na2\n=======\nb2\n>>>>>>> main';
    expect(keepBothSides(text)).toBe('a1\nb1\nmid\na2\nb2\n');
  });

  it('leaves a file without conflicts as it is', () => {
    expect(keepBothSides('======= not a marker here\n')).toBe('======= not a marker here\n');
  });
});

describe('mergeBase', () => {
  let repo: TempRepo;
  afterEach(async () => {
    await repo?.cleanup();
  });

  it('merges the base into the branch, keeping both sides of a conflict, and commits the merge', async () => {
    repo = await tempRepo();
    await repo.commit('start', { 'shared.md': 'head\n' });
    await repo.git(['switch', '-c', 'flux/a']);
    await repo.commit('a', { 'shared.md': 'head\nline from a\n' });
    await repo.git(['switch', 'main']);
    await repo.commit('b', { 'shared.md': 'head\nline from b\n' });
    await repo.git(['switch', 'flux/a']);
    const shown: string[] = [];
    const done = await mergeBase(
      {
        cwd: repo.root,
        git: async (args) => {
          const result = await execa('git', args, { cwd: repo.root, reject: false, all: true });
          return {
            exitCode: result.exitCode ?? 1,
            stdout: result.all ?? '',
            stderr: '',
            timedOut: false,
            problem: undefined,
          };
        },
        show: (what) => shown.push(what),
      },
      'main',
    );
    expect(done).toBe(true);
    expect(readFileSync(path.join(repo.root, 'shared.md'), 'utf8')).toBe('head\nline from a\nline from b\n');
    expect(await repo.git(['rev-list', '--parents', '-n', '1', 'HEAD'])).toMatch(/^\S+ \S+ \S+$/);
    expect(await repo.git(['status', '--porcelain'])).toBe('');
    expect(shown).toContain('kept both sides in shared.md');
  });
});
