/**
 * What git says about the repository: branches, worktrees, what is
 * uncommitted, what a branch changed, whether a merge would conflict.
 * Nothing here changes anything.
 */
import path from 'node:path';
import { ExternalError } from '../../errors.js';
import { toolFailure } from '../exec.js';
import { canonicalPath, isFluxPath } from './files.js';
import {
  parseMergeTree,
  parseNumstat,
  parseStatus,
  parseWorktreeList,
  type DiffStat,
  type FileStatus,
  type MergePrediction,
  type WorktreeInfo,
} from './parse.js';
import { assertRefName, gitOutput, gitTest, lines, runGit, splitNul, type GitCall } from './run.js';

/** The top of the worktree containing `cwd` (for a stage worktree: that worktree). */
export async function findRepoRoot(cwd: string): Promise<string> {
  const result = await runGit(['rev-parse', '--show-toplevel'], { cwd });
  if (result.exitCode !== 0) {
    throw new ExternalError(
      `${cwd} is not inside a git repository`,
      'run flux from inside a git repository (git init, then make a first commit)',
    );
  }
  return result.stdout;
}

/** The main worktree of the repository containing `cwd`, also when `cwd` is inside a stage worktree. */
export async function findMainWorktree(cwd: string): Promise<string> {
  await findRepoRoot(cwd);
  const [main] = parseWorktreeList(await gitOutput(['worktree', 'list', '--porcelain'], { cwd }));
  if (main === undefined) throw new ExternalError(`git lists no worktree for ${cwd}`);
  return canonicalPath(main.path);
}

/** The read-only questions, asked in the main worktree at `root` (or in `dir`). */
export function gitQueries(repoRoot: string) {
  const root = path.resolve(repoRoot);
  const at = (dir?: string): GitCall => ({ cwd: dir ?? root });

  async function currentBranch(dir?: string): Promise<string | null> {
    const result = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], at(dir));
    if (result.exitCode === 0) return result.stdout;
    if (result.exitCode === 1) return null;
    throw toolFailure('git', ['symbolic-ref', 'HEAD'], result);
  }

  async function status(dir?: string): Promise<FileStatus[]> {
    const output = await gitOutput(['status', '--porcelain=v1', '-z', '--untracked-files=normal'], {
      ...at(dir),
      raw: true,
    });
    return parseStatus(output).filter((file) => !isFluxPath(file.path));
  }

  async function headCommit(dir?: string): Promise<string> {
    return gitOutput(['rev-parse', '--verify', 'HEAD'], at(dir));
  }

  /** The commit a branch points at. */
  async function branchCommit(name: string): Promise<string> {
    assertRefName(name, 'branch');
    return gitOutput(['rev-parse', '--verify', '--quiet', `refs/heads/${name}^{commit}`], at());
  }

  async function branchExists(name: string): Promise<boolean> {
    assertRefName(name, 'branch');
    return gitTest(['show-ref', '--verify', '--quiet', `refs/heads/${name}`], at());
  }

  async function isMerged(branch: string, base: string): Promise<boolean> {
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    return gitTest(['merge-base', '--is-ancestor', branch, base], at());
  }

  async function commitsAhead(branch: string, base: string): Promise<string[]> {
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    return lines(await gitOutput(['log', '--format=%s', `${base}..${branch}`], at()));
  }

  async function listWorktrees(): Promise<WorktreeInfo[]> {
    const args = ['worktree', 'list', '--porcelain'];
    let result = await runGit(args, at());
    // A `git worktree add` running meanwhile has an admin file made but not yet
    // written for a moment; git then fails the whole listing. Ask again.
    for (
      let tries = 0;
      result.exitCode !== 0 && /failed to read .*worktrees\//.test(result.stderr) && tries < 5;
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      result = await runGit(args, at());
    }
    if (result.exitCode !== 0) throw toolFailure('git', args, result);
    const worktrees = parseWorktreeList(result.stdout);
    // Canonical paths, so callers can compare them with paths they resolved themselves.
    return Promise.all(
      worktrees.map(async (worktree) => ({ ...worktree, path: await canonicalPath(worktree.path) })),
    );
  }

  async function aheadBehind(branch: string, base: string): Promise<{ ahead: number; behind: number }> {
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    const output = await gitOutput(['rev-list', '--left-right', '--count', `${base}...${branch}`], at());
    const [behind = '0', ahead = '0'] = output.split(/\s+/);
    return { ahead: Number(ahead), behind: Number(behind) };
  }

  async function diffStat(base: string, branch: string): Promise<DiffStat> {
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    const args = ['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', `${base}...${branch}`];
    return parseNumstat(await gitOutput(args, { ...at(), raw: true }));
  }

  /** The full diff of the branch against the base (three-dot, as the diffstat), for a person to read. */
  async function diffText(base: string, branch: string): Promise<string> {
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    return gitOutput(['diff', '--no-ext-diff', '--no-color', `${base}...${branch}`], { ...at(), raw: true });
  }

  /**
   * What a branch gained since `from` (the head that did not land), for the
   * person reviewing a resolution: each commit with its diff, a merge as its
   * combined diff (`--cc`: only what the resolution chose).
   */
  async function resolutionLog(from: string, branch: string): Promise<string> {
    assertRefName(branch, 'branch');
    assertRefName(from, 'commit');
    const args = [
      'log',
      '--cc',
      '-p',
      '--no-color',
      '--no-ext-diff',
      '--format=commit %h %s',
      `${from}..${branch}`,
    ];
    return gitOutput(args, { ...at(), raw: true });
  }

  async function changedFiles(base: string, branch: string): Promise<string[]> {
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    const args = ['diff', '--name-only', '-z', '--no-renames', `${base}...${branch}`];
    return splitNul(await gitOutput(args, { ...at(), raw: true }));
  }

  async function predictMerge(base: string, branch: string): Promise<MergePrediction> {
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    const args = ['merge-tree', '--write-tree', '--name-only', '--messages', '-z', base, branch];
    const result = await runGit(args, { ...at(), raw: true });
    if (result.exitCode === 0 || result.exitCode === 1) return parseMergeTree(result.stdout, result.exitCode);
    if (result.exitCode === 129) {
      // Usage error: a git older than 2.38 without --write-tree.
      return {
        clean: null,
        conflicts: [],
        messages: [],
        unsupported: 'git merge-tree --write-tree needs git 2.38',
      };
    }
    throw toolFailure('git', args, result);
  }

  async function conflictedFiles(dir?: string): Promise<string[]> {
    return splitNul(
      await gitOutput(['diff', '--name-only', '-z', '--diff-filter=U'], { ...at(dir), raw: true }),
    );
  }

  return {
    root,
    repoRoot: findRepoRoot,
    currentBranch,
    status,
    isClean: async (dir?: string) => (await status(dir)).length === 0,
    headCommit,
    branchCommit,
    listWorktrees,
    branchExists,
    isMerged,
    aheadBehind,
    commitsAhead,
    diffStat,
    diffText,
    changedFiles,
    resolutionLog,
    predictMerge,
    conflictedFiles,
  };
}

export type GitQueries = ReturnType<typeof gitQueries>;
