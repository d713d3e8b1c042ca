import { describe, expect, it } from 'vitest';
import { parseBranchStatus } from '../../src/effects/git.js';

describe('parseBranchStatus', () => {
  it('reads the branch, the head and every changed path (modified, renamed, unmerged)', () => {
    const output = [
      '# branch.oid 0123456789abcdef0123456789abcdef01234567',
      '# branch.head main',
      '1 .M N... 100644 100644 100644 aaa bbb src/a file.ts',
      '2 R. N... 100644 100644 100644 aaa bbb R100 src/new.ts',
      'src/old.ts',
      'u UU N... 100644 100644 100644 100644 aaa bbb ccc conflict.ts',
      '',
    ].join('\0');
    expect(parseBranchStatus(output)).toEqual({
      branch: 'main',
      head: '0123456789abcdef0123456789abcdef01234567',
      changed: ['src/a file.ts', 'src/new.ts', 'conflict.ts'],
    });
  });

  it('says null for a detached HEAD and for a repository without commits', () => {
    expect(parseBranchStatus('# branch.oid (initial)\0# branch.head (detached)\0')).toEqual({
      branch: null,
      head: null,
      changed: [],
    });
  });
});
