/**
 * Git effects: worktrees for stages, their branches, and merging them back.
 *
 * Safety rules (docs/effects.md): a worktree with uncommitted or unmerged work is
 * never removed, a branch is only deleted once merged, a merge that conflicts
 * is aborted, and Flux's own paths are ignored through `.git/info/exclude`,
 * never through a tracked `.gitignore`.
 */
import {
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  realpath,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { ExternalError, RefusedError } from '../errors.js';
import { runTool, toolFailure, type ToolResult } from './exec.js';

const GIT_MISSING_HINT = 'install git 2.38 or newer (apt-get install git, or brew install git)';

/** The main worktree's Flux directory; every stage worktree links to it. */
export const WORK_DIR_NAME = '.work';
/** Where stage worktrees live, under the main worktree. */
export const WORKTREES_DIR_NAME = '.worktrees';
/**
 * Anchored patterns for `.git/info/exclude`. `/.work` has no trailing slash on
 * purpose: in a stage worktree `.work` is a symlink, which a directory-only
 * pattern (`.work/`) would not match.
 */
export const FLUX_EXCLUDES: readonly string[] = [`/${WORK_DIR_NAME}`, `/${WORKTREES_DIR_NAME}/`];

/** One entry of `git status --porcelain=v1`. */
export interface FileStatus {
  /** Relative to the worktree root. */
  path: string;
  /** The two-letter porcelain code: ' M', 'A ', 'UU', '??' … */
  code: string;
  /** For a rename or copy, where it came from. */
  from?: string;
  untracked: boolean;
}

export interface WorktreeInfo {
  /** Absolute, symlinks resolved. */
  path: string;
  head: string | null;
  /** Short branch name; null when detached. */
  branch: string | null;
  /** The repository's main worktree (always listed first by git). */
  main: boolean;
  locked: boolean;
  /** Registered, but its directory is gone. */
  prunable: boolean;
}

export interface AddWorktreeResult {
  path: string;
  branch: string;
  head: string;
  /** `created` a new branch from base, `attached` an existing branch, or found the worktree `existing`. */
  outcome: 'created' | 'attached' | 'existing';
}

export interface DiffStat {
  /** `added`/`deleted` are null for binary files. */
  files: { path: string; added: number | null; deleted: number | null }[];
  insertions: number;
  deletions: number;
}

export interface MergePrediction {
  /** null when this git cannot predict (merge-tree --write-tree needs git 2.38). */
  clean: boolean | null;
  conflicts: string[];
  /** git's CONFLICT lines, for showing to a person. */
  messages: string[];
  /** Why no prediction was possible, when `clean` is null. */
  unsupported?: string;
}

export type MergeResult =
  | { ok: true; commit: string; /** The branch was already merged; no new commit. */ alreadyMerged: boolean }
  | { ok: false; conflicts: string[] };

export interface Git {
  /** The main worktree this instance works on. */
  readonly root: string;
  /** The top of the worktree containing `cwd`; ExternalError when it is not in a repository. */
  repoRoot(cwd: string): Promise<string>;
  /** The branch checked out in `dir` (default: the main worktree); null when detached. */
  currentBranch(dir?: string): Promise<string | null>;
  /** Uncommitted files in `dir`, untracked included; Flux's own `.work`/`.worktrees` left out. */
  status(dir?: string): Promise<FileStatus[]>;
  isClean(dir?: string): Promise<boolean>;
  headCommit(dir?: string): Promise<string>;
  /** Adds missing patterns to `.git/info/exclude` (shared by all worktrees); returns the ones added. */
  ensureExcluded(patterns?: readonly string[]): Promise<string[]>;
  /** Idempotent: creates, re-attaches or finds the worktree; never a second one, never loses commits. */
  addWorktree(options: { path: string; branch: string; base: string }): Promise<AddWorktreeResult>;
  listWorktrees(): Promise<WorktreeInfo[]>;
  /** RefusedError when the worktree has uncommitted changes or `branch` is not merged into `base`. */
  removeWorktree(
    worktreePath: string,
    options: { branch: string; base: string },
  ): Promise<{ removed: boolean }>;
  /** `git branch -d`, after checking the branch is merged into `base` (default HEAD). */
  deleteBranch(branch: string, options?: { base?: string }): Promise<{ deleted: boolean }>;
  branchExists(name: string): Promise<boolean>;
  /** Every commit of `branch` is reachable from `base`. */
  isMerged(branch: string, base: string): Promise<boolean>;
  aheadBehind(branch: string, base: string): Promise<{ ahead: number; behind: number }>;
  /** Subject lines of the commits on `branch` that `base` lacks, newest first. */
  commitsAhead(branch: string, base: string): Promise<string[]>;
  /** What `branch` changed since it left `base` (three-dot: against their merge base). */
  diffStat(base: string, branch: string): Promise<DiffStat>;
  changedFiles(base: string, branch: string): Promise<string[]>;
  /** Whether merging `branch` into `base` would conflict, without touching any worktree. */
  predictMerge(base: string, branch: string): Promise<MergePrediction>;
  /** `git merge --no-ff` in the main worktree, which must be clean and on `base`; aborts on conflict. */
  merge(options: { branch: string; base: string; message: string }): Promise<MergeResult>;
}

// ---- running git ---------------------------------------------------------

interface GitCall {
  cwd: string;
  env?: Record<string, string | undefined>;
  raw?: boolean;
}

const GIT_ENV = {
  // Never wait for a password or an editor: Flux runs unattended.
  GIT_TERMINAL_PROMPT: '0',
  GIT_MERGE_AUTOEDIT: 'no',
  GIT_EDITOR: 'true',
};

function runGit(args: readonly string[], call: GitCall): Promise<ToolResult> {
  return runTool('git', args, {
    cwd: call.cwd,
    env: { ...GIT_ENV, ...call.env },
    raw: call.raw,
    missingHint: GIT_MISSING_HINT,
  });
}

/** Runs git and returns stdout; a non-zero exit is an ExternalError. */
async function gitOutput(args: readonly string[], call: GitCall): Promise<string> {
  const result = await runGit(args, call);
  if (result.exitCode !== 0) throw toolFailure('git', args, result);
  return result.stdout;
}

/** For commands that answer yes/no with exit codes 0/1 (anything else is a failure). */
async function gitTest(args: readonly string[], call: GitCall): Promise<boolean> {
  const result = await runGit(args, call);
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw toolFailure('git', args, result);
}

function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

function lines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** A name starting with `-` would be read as an option. */
function assertRefName(name: string, what: string): void {
  if (name === '' || name.startsWith('-')) throw new RefusedError(`invalid ${what} name '${name}'`);
}

// ---- paths ---------------------------------------------------------------

async function pathExists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Absolute with symlinks resolved, also for paths that do not exist yet (git reports real paths). */
async function canonicalPath(p: string): Promise<string> {
  const absolute = path.resolve(p);
  try {
    return await realpath(absolute);
  } catch {
    const parent = path.dirname(absolute);
    if (parent === absolute) return absolute;
    return path.join(await canonicalPath(parent), path.basename(absolute));
  }
}

function isFluxPath(relative: string): boolean {
  return [WORK_DIR_NAME, WORKTREES_DIR_NAME].some(
    (dir) => relative === dir || relative.startsWith(`${dir}/`),
  );
}

function listFiles(files: readonly string[], limit = 10): string {
  const shown = files.slice(0, limit).join(', ');
  return files.length > limit ? `${shown} and ${files.length - limit} more` : shown;
}

// ---- parsers -------------------------------------------------------------

/** `git status --porcelain=v1 -z`: `XY path\0`, plus `from\0` after renames and copies. */
export function parseStatus(output: string): FileStatus[] {
  const records = splitNul(output);
  const files: FileStatus[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i] ?? '';
    const code = record.slice(0, 2);
    const entry: FileStatus = { path: record.slice(3), code, untracked: code === '??' || code === '!!' };
    if (code[0] === 'R' || code[0] === 'C') {
      entry.from = records[++i] ?? '';
    }
    files.push(entry);
  }
  return files;
}

/** `git worktree list --porcelain`: blank-line separated blocks of `key value` lines. */
export function parseWorktreeList(output: string): WorktreeInfo[] {
  const worktrees: WorktreeInfo[] = [];
  for (const block of output.split(/\n\n+/)) {
    let current: WorktreeInfo | undefined;
    for (const line of lines(block.trim())) {
      const space = line.indexOf(' ');
      const key = space === -1 ? line : line.slice(0, space);
      const value = space === -1 ? '' : line.slice(space + 1);
      if (key === 'worktree') {
        current = {
          path: value,
          head: null,
          branch: null,
          main: worktrees.length === 0,
          locked: false,
          prunable: false,
        };
        worktrees.push(current);
      } else if (current !== undefined) {
        if (key === 'HEAD') current.head = value;
        else if (key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
        else if (key === 'locked') current.locked = true;
        else if (key === 'prunable') current.prunable = true;
      }
    }
  }
  return worktrees;
}

/** `git diff --numstat -z --no-renames`: `added\tdeleted\tpath\0`, `-` for binary files. */
export function parseNumstat(output: string): DiffStat {
  const stat: DiffStat = { files: [], insertions: 0, deletions: 0 };
  for (const record of splitNul(output)) {
    const [added = '', deleted = '', ...rest] = record.split('\t');
    const file = {
      path: rest.join('\t'),
      added: added === '-' ? null : Number(added),
      deleted: deleted === '-' ? null : Number(deleted),
    };
    stat.files.push(file);
    stat.insertions += file.added ?? 0;
    stat.deletions += file.deleted ?? 0;
  }
  return stat;
}

/**
 * `git merge-tree --write-tree --name-only --messages -z`: the tree id, the
 * conflicted paths, an empty field, then messages as
 * `<path count>\0<paths…>\0<type>\0<text>\0`.
 */
export function parseMergeTree(output: string, exitCode: number): MergePrediction {
  const fields = output.split('\0');
  const conflicts: string[] = [];
  let i = 1; // fields[0] is the tree id
  for (; i < fields.length && fields[i] !== ''; i++) conflicts.push(fields[i] ?? '');
  const messages: string[] = [];
  for (i++; i < fields.length;) {
    const count = Number(fields[i]);
    if (!Number.isInteger(count)) break;
    const type = fields[i + count + 1] ?? '';
    const text = (fields[i + count + 2] ?? '').trim();
    if (type.startsWith('CONFLICT')) messages.push(text);
    i += count + 3;
  }
  return { clean: exitCode === 0, conflicts, messages };
}

/** `git status --porcelain=v2 --branch -z`: the branch (null when detached), HEAD, and changed paths. */
export function parseBranchStatus(output: string): {
  branch: string | null;
  head: string | null;
  changed: string[];
} {
  let branch: string | null = null;
  let head: string | null = null;
  const changed: string[] = [];
  const records = output.split('\0');
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.startsWith('# branch.head ')) {
      const name = record.slice('# branch.head '.length);
      branch = name === '(detached)' ? null : name;
    } else if (record.startsWith('# branch.oid ')) {
      const oid = record.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
    } else if (record.startsWith('1 ') || record.startsWith('u ')) {
      changed.push(
        record
          .split(' ')
          .slice(record.startsWith('1 ') ? 8 : 10)
          .join(' '),
      );
    } else if (record.startsWith('2 ')) {
      changed.push(record.split(' ').slice(9).join(' '));
      i++; // the rename's original path
    }
  }
  return { branch, head, changed };
}

// ---- the real implementation ----------------------------------------------

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

export function createGit(repoRoot: string): Git {
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
    const worktrees = parseWorktreeList(await gitOutput(['worktree', 'list', '--porcelain'], at()));
    // Canonical paths, so callers can compare them with paths they resolved themselves.
    return Promise.all(
      worktrees.map(async (worktree) => ({ ...worktree, path: await canonicalPath(worktree.path) })),
    );
  }

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
    // -d (not -D): git checks again and refuses a branch checked out somewhere.
    const result = await runGit(['branch', '-d', branch], at());
    if (result.exitCode !== 0) {
      throw new RefusedError(`git refused to delete branch '${branch}': ${result.stderr.trim()}`);
    }
    return { deleted: true };
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

  async function conflictedFiles(): Promise<string[]> {
    return splitNul(
      await gitOutput(['diff', '--name-only', '-z', '--diff-filter=U'], { ...at(), raw: true }),
    );
  }

  async function merge(options: { branch: string; base: string; message: string }): Promise<MergeResult> {
    const { branch, base, message } = options;
    assertRefName(branch, 'branch');
    assertRefName(base, 'base');
    // One call tells the branch, the head commit and what is uncommitted.
    // Untracked files are no risk: git stops before touching anything if the merge would overwrite one.
    const main = parseBranchStatus(
      await gitOutput(['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=no'], {
        ...at(),
        raw: true,
      }),
    );
    if (main.branch !== base) {
      throw new RefusedError(
        `the main worktree ${root} is on ${main.branch === null ? 'a detached HEAD' : `branch '${main.branch}'`}, not '${base}'`,
        `run git switch ${base} there first`,
      );
    }
    const dirty = main.changed.filter((file) => !isFluxPath(file));
    if (dirty.length > 0) {
      throw new RefusedError(
        `the main worktree has uncommitted changes: ${listFiles(dirty)}`,
        'commit or stash them, then merge again',
      );
    }
    const before = main.head;
    const args = ['merge', '--no-ff', '--no-edit', '-m', message, branch];
    const result = await runGit(args, at());
    if (result.exitCode === 0) {
      const commit = await headCommit();
      return { ok: true, commit, alreadyMerged: commit === before };
    }
    const merging = await gitTest(['rev-parse', '--quiet', '--verify', 'MERGE_HEAD'], at());
    if (!merging)
      throw toolFailure('git', args, result, 'nothing was merged; the main worktree is unchanged');
    const conflicts = await conflictedFiles();
    const abort = await runGit(['merge', '--abort'], at());
    if (abort.exitCode !== 0) {
      throw toolFailure('git', ['merge', '--abort'], abort, `finish or abort the merge by hand in ${root}`);
    }
    if (conflicts.length === 0) {
      // Stopped for another reason (a hook refused the merge commit).
      throw toolFailure('git', args, result, 'the merge was aborted; the main worktree is unchanged');
    }
    return { ok: false, conflicts };
  }

  return {
    root,
    repoRoot: findRepoRoot,
    currentBranch,
    status,
    isClean: async (dir) => (await status(dir)).length === 0,
    headCommit,
    ensureExcluded,
    addWorktree,
    listWorktrees,
    removeWorktree,
    deleteBranch,
    branchExists,
    isMerged,
    aheadBehind,
    commitsAhead,
    diffStat,
    changedFiles,
    predictMerge,
    merge,
  };
}
