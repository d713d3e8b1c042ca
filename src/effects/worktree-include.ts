/**
 * Copying into a new worktree the files git ignores that its work needs
 * (`node_modules/`, `.env`, a build cache): those `.worktreeinclude` (at the
 * repository root, gitignore syntax, Claude Code's convention) or
 * `[worktree] copy` match, and only those git ignores. Tracked files come
 * with the checkout; untracked files git does not ignore are never copied
 * (they could be committed from the worktree); nor are `.git`, `.work` and
 * `.worktrees`.
 *
 * git itself does the matching, so the patterns mean exactly what they mean
 * in a `.gitignore`: one listing of what the standard excludes ignore, one
 * of what the include patterns match, both with `--directory` so an ignored
 * folder (node_modules) is one entry, not its hundred thousand files. The
 * copy is `cp -a` (modes, times and symbolic links kept; with
 * `--reflink=auto` on Linux, a copy-on-write clone where the filesystem
 * can), never hard links: the agent may edit what it gets.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ExternalError } from '../errors.js';
import { WORK_DIR_NAME, WORKTREE_INCLUDE_FILE, WORKTREES_DIR_NAME } from '../paths.js';
import { gitOutput, splitNul } from './git/run.js';

/** Top-level names never copied, whatever the patterns say. */
const NEVER_COPIED: ReadonlySet<string> = new Set(['.git', WORK_DIR_NAME, WORKTREES_DIR_NAME]);
/** Sources per `cp` call, well under any argument-length limit. */
const CP_BATCH = 200;

/**
 * The `.worktreeinclude` at `root`, or null when there is none. A file that
 * is there but cannot be read (a directory, no permission) is a ConfigError
 * naming it: copying nothing would only fail later, less clearly.
 */
export async function readWorktreeInclude(root: string): Promise<string | null> {
  const file = path.join(root, WORKTREE_INCLUDE_FILE);
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadable(file, error);
  }
  if (info.isDirectory()) throw unreadable(file, new Error('it is a directory'));
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // a link to nothing
    throw unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return new ConfigError(
    `cannot read ${file}: ${why}`,
    `make it a readable file of gitignore-style patterns (docs/setup.md), or remove it`,
  );
}

/** Whether `entry` is `dir` or lies under it (`dir` ends with `/` when it is a folder). */
function within(entry: string, dir: string): boolean {
  return entry === dir || (dir.endsWith('/') && entry.startsWith(dir));
}

/**
 * What to copy (pure): the parts of `matched` (what the include patterns
 * match) that git ignores (`ignored`). Both are git's `--directory`
 * listings, folders ending with `/`: a matched entry inside an ignored
 * folder is copied, and so is an ignored entry inside a matched folder.
 * Nothing is listed twice or inside another listed folder.
 */
export function pathsToCopy(ignored: readonly string[], matched: readonly string[]): string[] {
  const chosen = new Set<string>();
  for (const entry of matched) if (ignored.some((dir) => within(entry, dir))) chosen.add(entry);
  for (const entry of ignored) if (matched.some((dir) => within(entry, dir))) chosen.add(entry);
  const all = [...chosen].filter((entry) => !NEVER_COPIED.has(entry.split('/')[0]!));
  return all
    .filter((entry) => !all.some((other) => other !== entry && within(entry, other)))
    .sort((a, b) => a.localeCompare(b));
}

/** The ignored files and folders of `root` that the patterns (and `includeFile`, if any) match. */
export async function listIncluded(
  root: string,
  includeFile: boolean,
  patterns: readonly string[],
): Promise<string[]> {
  if (!includeFile && patterns.length === 0) return [];
  const listing = ['ls-files', '-z', '--others', '--ignored', '--directory'];
  const ignored = splitNul(await gitOutput([...listing, '--exclude-standard'], { cwd: root, raw: true }));
  if (ignored.length === 0) return [];
  const matched = splitNul(
    await gitOutput(
      [
        ...listing,
        ...(includeFile ? [`--exclude-from=${path.join(root, WORKTREE_INCLUDE_FILE)}`] : []),
        ...patterns.map((pattern) => `--exclude=${pattern}`),
      ],
      { cwd: root, raw: true },
    ),
  );
  return pathsToCopy(ignored, matched);
}

function cp(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('cp', [...args], { encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else
        reject(new ExternalError(`could not copy into the new worktree: ${stderr.trim() || error.message}`));
    });
  });
}

/** Copies `entries` (relative to `root`, folders ending with `/`) to the same places under `worktree`. */
export async function copyIncluded(
  root: string,
  worktree: string,
  entries: readonly string[],
): Promise<void> {
  const byParent = new Map<string, string[]>();
  for (const entry of entries) {
    const relative = entry.replace(/\/$/, '');
    const parent = path.dirname(relative);
    byParent.set(parent, [...(byParent.get(parent) ?? []), path.join(root, relative)]);
  }
  // A copy-on-write clone where the filesystem allows it (GNU cp); a plain copy elsewhere.
  const flags = process.platform === 'linux' ? ['-a', '--reflink=auto'] : ['-a'];
  for (const [parent, sources] of byParent) {
    const target = path.join(worktree, parent);
    await mkdir(target, { recursive: true });
    for (let i = 0; i < sources.length; i += CP_BATCH) {
      // The target last and ending with `/`: each source goes inside it, a folder merged into one already there.
      await cp([...flags, '--', ...sources.slice(i, i + CP_BATCH), `${target}/`]);
    }
  }
}
