/**
 * Stage worktrees and their branches: created or found again (never a
 * second one), removed only when clean and merged, with Flux's own paths
 * ignored through `.git/info/exclude`, never a tracked `.gitignore`.
 */
import { lstat, mkdir, readFile, readdir, readlink, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RefusedError } from '../../errors.js';
import { WORK_DIR_NAME, WORKTREES_DIR_NAME } from '../../paths.js';
import { canonicalPath, listFiles, pathExists } from './files.js';
import { clearHalfMadeAdd } from './half-made.js';
import type { AddWorktreeResult } from './parse.js';
import type { GitQueries } from './queries.js';
import { assertRefName, gitOutput, gitTest, lines, runGit, type GitCall } from './run.js';

/**
 * Anchored patterns for `.git/info/exclude`. `/.work` has no trailing slash on
 * purpose: in a stage worktree `.work` is a symlink, which a directory-only
 * pattern (`.work/`) would not match.
 */
export const FLUX_EXCLUDES: readonly string[] = [`/${WORK_DIR_NAME}`, `/${WORKTREES_DIR_NAME}/`];

export function gitWorktrees(q: GitQueries) {
  const { root, status, headCommit, branchExists, isMerged, commitsAhead, listWorktrees } = q;
  const at = (dir?: string): GitCall => ({ cwd: dir ?? root });

  // Flux's own excludes only need writing once per process.
  let excluded: Promise<string[]> | undefined;
  const ensureExcludedOnce = (): Promise<string[]> => (excluded ??= ensureExcluded());

  async function ensureExcluded(patterns: readonly string[] = FLUX_EXCLUDES): Promise<string[]> {
    // --git-path resolves to the common dir's info/exclude, which every worktree reads.
    const excludeFile = path.resolve(
      root,
      await gitOutput(['rev-parse', '--git-path', 'info/exclude'], at()),
    );
    let content = '';
    try {
      content = await readFile(excludeFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const present = new Set(lines(content).map((line) => line.trim()));
    const missing = patterns.filter((pattern) => !present.has(pattern));
    if (missing.length === 0) return [];
    const separator = content === '' || content.endsWith('\n') ? '' : '\n';
    await mkdir(path.dirname(excludeFile), { recursive: true });
    await writeFile(excludeFile, `${content}${separator}# Flux workspace\n${missing.join('\n')}\n`);
    return missing;
  }

  /** `.work` in a stage worktree is a relative symlink to the main worktree's `.work`. */
  async function linkWorkDir(worktreePath: string): Promise<void> {
    const link = path.join(worktreePath, WORK_DIR_NAME);
    const target = path.relative(worktreePath, path.join(await canonicalPath(root), WORK_DIR_NAME));
    try {
      const stat = await lstat(link);
      if (!stat.isSymbolicLink()) {
        throw new RefusedError(
          `${link} exists and is not Flux's link to ${WORK_DIR_NAME}`,
          `the branch seems to track a ${WORK_DIR_NAME} of its own; move it away and retry`,
        );
      }
      if ((await readlink(link)) === target) return;
      await unlink(link);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await symlink(target, link);
  }

  async function addWorktree(options: {
    path: string;
    branch: string;
    base: string;
  }): Promise<AddWorktreeResult> {
    const { branch, base } = options;
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    const fresh = path.resolve(root, options.path);
    if (!(await pathExists(fresh))) {
      // The common case, a new stage: one git call. Anything unusual (the
      // branch exists, a stale registration, a bad name) fails it, and the
      // careful path below finds out what and says so.
      await ensureExcludedOnce();
      const quick = await runGit(['worktree', 'add', '--quiet', '-b', branch, fresh, base], at());
      if (quick.exitCode === 0) {
        await linkWorkDir(fresh);
        return {
          path: await canonicalPath(fresh),
          branch,
          head: await headCommit(fresh),
          outcome: 'created',
        };
      }
    }
    if (!(await gitTest(['check-ref-format', `refs/heads/${branch}`], at()))) {
      throw new RefusedError(`'${branch}' is not a valid branch name`);
    }
    const target = await canonicalPath(path.resolve(root, options.path));
    await ensureExcluded();
    // An add of this worktree killed half-way is made again (half-made.ts).
    await clearHalfMadeAdd(root, target);
    // Forget registrations whose directories were deleted, so they cannot block re-adding.
    await gitOutput(['worktree', 'prune'], at());

    const worktrees = await listWorktrees();
    const here = worktrees.find((worktree) => worktree.path === target);
    if (here !== undefined) {
      if (here.branch !== branch) {
        throw new RefusedError(
          `${target} is already a worktree, of ${here.branch === null ? 'a detached HEAD' : `branch '${here.branch}'`}, not '${branch}'`,
        );
      }
      await linkWorkDir(target);
      return { path: target, branch, head: await headCommit(target), outcome: 'existing' };
    }
    const elsewhere = worktrees.find((worktree) => worktree.branch === branch);
    if (elsewhere !== undefined) {
      throw new RefusedError(`branch '${branch}' is already checked out at ${elsewhere.path}`);
    }
    if ((await pathExists(target)) && (await readdir(target).catch(() => ['(not a directory)'])).length > 0) {
      throw new RefusedError(`${target} already exists and is not a worktree of this repository`);
    }

    let outcome: AddWorktreeResult['outcome'];
    if (await branchExists(branch)) {
      // Resuming after a crash: the branch holds the stage's commits; attach it as it is.
      await gitOutput(['worktree', 'add', target, branch], at());
      outcome = 'attached';
    } else {
      if (!(await gitTest(['rev-parse', '--verify', '--quiet', `${base}^{commit}`], at()))) {
        throw new RefusedError(`base '${base}' is not a commit in this repository`);
      }
      await gitOutput(['worktree', 'add', '-b', branch, target, base], at());
      outcome = 'created';
    }
    await linkWorkDir(target);
    return { path: target, branch, head: await headCommit(target), outcome };
  }

  async function removeWorktree(
    worktreePath: string,
    options: { branch: string; base: string },
  ): Promise<{ removed: boolean }> {
    const { branch, base } = options;
    const target = await canonicalPath(path.resolve(root, worktreePath));
    const entry = (await listWorktrees()).find((worktree) => worktree.path === target);
    if (entry === undefined) {
      if (!(await pathExists(target))) return { removed: false };
      throw new RefusedError(`${target} is not a worktree of this repository; Flux will not delete it`);
    }
    if (entry.main) throw new RefusedError(`${target} is the main worktree; it is never removed`);
    if (entry.branch !== branch) {
      throw new RefusedError(
        `worktree ${target} has ${entry.branch === null ? 'a detached HEAD' : `branch '${entry.branch}'`}, not '${branch}'`,
      );
    }
    if (!entry.prunable) {
      const dirty = await status(target);
      if (dirty.length > 0) {
        throw new RefusedError(
          `worktree ${target} has uncommitted changes: ${listFiles(dirty.map((file) => file.path))}`,
          'commit or discard them in the worktree first',
        );
      }
    }
    if (!(await isMerged(branch, base))) {
      const commits = await commitsAhead(branch, base);
      throw new RefusedError(
        `branch '${branch}' has ${commits.length} commit(s) not merged into '${base}': ${listFiles(commits, 5)}`,
        `merge it first (flux merge), or keep the worktree`,
      );
    }
    if (entry.prunable) {
      await gitOutput(['worktree', 'prune'], at());
      return { removed: true };
    }
    const result = await runGit(['worktree', 'remove', target], at());
    if (result.exitCode !== 0) {
      throw new RefusedError(`git refused to remove worktree ${target}: ${result.stderr.trim()}`);
    }
    return { removed: true };
  }

  async function deleteBranch(
    branch: string,
    options: { base?: string } = {},
  ): Promise<{ deleted: boolean }> {
    if (!(await branchExists(branch))) return { deleted: false };
    const base = options.base ?? 'HEAD';
    if (!(await isMerged(branch, base))) {
      throw new RefusedError(`branch '${branch}' is not merged into '${base}'; it is kept`);
    }
    // -D: merged into `base` was checked just now; `-d` would ask about HEAD, which may be on
    // another branch. git still refuses a branch checked out somewhere.
    const result = await runGit(['branch', '-D', branch], at());
    if (result.exitCode !== 0) {
      throw new RefusedError(`git refused to delete branch '${branch}': ${result.stderr.trim()}`);
    }
    return { deleted: true };
  }
  return { ensureExcluded, addWorktree, removeWorktree, deleteBranch };
}
