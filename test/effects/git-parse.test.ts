import { describe, expect, it } from 'vitest';
import { parseMergeTree, parseNumstat, parseStatus, parseWorktreeList } from '../../src/effects/git.js';

describe('parseStatus', () => {
  it('reads codes, paths with spaces, and the source of a rename', () => {
    const output = ' M src/a.ts\0R  new name.ts\0old name.ts\0?? notes.txt\0UU both.ts\0';
    expect(parseStatus(output)).toEqual([
      { path: 'src/a.ts', code: ' M', untracked: false },
      { path: 'new name.ts', code: 'R ', from: 'old name.ts', untracked: false },
      { path: 'notes.txt', code: '??', untracked: true },
      { path: 'both.ts', code: 'UU', untracked: false },
    ]);
  });

  it('is empty for a clean worktree', () => {
    expect(parseStatus('')).toEqual([]);
  });
});

describe('parseWorktreeList', () => {
  it('reads the main worktree first, then branches, detached and prunable entries', () => {
    const output = [
      'worktree /repo',
      'HEAD 1111111111111111111111111111111111111111',
      'branch refs/heads/main',
      '',
      'worktree /repo/.worktrees/a',
      'HEAD 2222222222222222222222222222222222222222',
      'branch refs/heads/flux/a',
      'locked',
      '',
      'worktree /repo/.worktrees/b',
      'HEAD 3333333333333333333333333333333333333333',
      'detached',
      'prunable gitdir file points to non-existent location',
      '',
    ].join('\n');
    expect(parseWorktreeList(output)).toEqual([
      { path: '/repo', head: '1'.repeat(40), branch: 'main', main: true, locked: false, prunable: false },
      {
        path: '/repo/.worktrees/a',
        head: '2'.repeat(40),
        branch: 'flux/a',
        main: false,
        locked: true,
        prunable: false,
      },
      {
        path: '/repo/.worktrees/b',
        head: '3'.repeat(40),
        branch: null,
        main: false,
        locked: false,
        prunable: true,
      },
    ]);
  });
});

describe('parseNumstat', () => {
  it('sums text changes and marks binary files', () => {
    expect(parseNumstat('3\t1\tsrc/a.ts\0-\t-\timg.png\0')).toEqual({
      files: [
        { path: 'src/a.ts', added: 3, deleted: 1 },
        { path: 'img.png', added: null, deleted: null },
      ],
      insertions: 3,
      deletions: 1,
    });
  });
});

describe('parseMergeTree', () => {
  it('reads conflicted paths and CONFLICT messages from -z output', () => {
    const output =
      'treeid\0f.txt\0g.txt\0\0' +
      '1\0f.txt\0Auto-merging\0Auto-merging f.txt\n\0' +
      '1\0f.txt\0CONFLICT (contents)\0CONFLICT (content): Merge conflict in f.txt\n\0' +
      '1\0g.txt\0CONFLICT (modify/delete)\0CONFLICT (modify/delete): g.txt deleted in feat\n\0';
    expect(parseMergeTree(output, 1)).toEqual({
      clean: false,
      conflicts: ['f.txt', 'g.txt'],
      messages: [
        'CONFLICT (content): Merge conflict in f.txt',
        'CONFLICT (modify/delete): g.txt deleted in feat',
      ],
    });
  });

  it('is clean with only a tree id', () => {
    expect(parseMergeTree('treeid\0', 0)).toEqual({ clean: true, conflicts: [], messages: [] });
  });
});
