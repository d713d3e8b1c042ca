/**
 * The host's side of git: a bare clone in `<dir>/<project>/repo.git` and
 * the stages' worktrees beside it. Every call is git there with an argv.
 * Flux's paths are ignored through the clone's info/exclude, as here.
 */
import path from 'node:path';
import { ExternalError } from '../../errors.js';
import { parseStatus, type FileStatus } from '../git/parse.js';
import { FLUX_EXCLUDES } from '../git/worktree.js';
import type { HostPaths } from '../../hosts/layout.js';
import { onHost, onHostOutput, type HostTarget } from './call.js';

/**
 * Made ready in one call (each ssh session costs a round trip and the
 * server's set-up): `dir` made and resolved, the project's folders, the bare
 * clone and its excludes (a file only Flux writes there), and whether this
 * build's bundle is there, and the clone's branches (so that the base goes
 * with the first launch as a bundle of only what the clone lacks). `sh -c`
 * with a constant script; the names are its arguments, never spliced into
 * it. Prints the absolute `dir`, then `bundle` or `no-bundle`, then a line
 * `<commit> <branch>` for each branch of the clone.
 */
const PREPARE_SCRIPT = [
  'set -e',
  'mkdir -p -- "$1" && cd -- "$1" && dir=$(pwd -P)',
  'project="$dir/$2" repo="$dir/$2/repo.git" work="$dir/$2/work" bundle="$dir/flux/$3"',
  'mkdir -p -- "$project/worktrees" "$work/spool" "$work/replies" "$work/handoffs" "$work/signals" "$work/agents" "$work/bin" "$work/logs"',
  '[ -d "$repo/objects" ] || git init --bare --quiet -- "$repo"',
  'mkdir -p -- "$repo/info"',
  'shift 3',
  'printf "# Flux workspace\\n" > "$repo/info/exclude.part"',
  'for pattern in "$@"; do printf "%s\\n" "$pattern" >> "$repo/info/exclude.part"; done',
  'mv -- "$repo/info/exclude.part" "$repo/info/exclude"',
  'printf "%s\\n" "$dir"',
  'if [ -f "$bundle/package.json" ]; then echo bundle; else echo no-bundle; fi',
  'git -C "$repo" for-each-ref --format="%(objectname) %(refname:strip=2)" refs/heads/',
].join('\n');

export interface PreparedHost {
  dir: string;
  hasBundle: boolean;
  /** The clone's branches and their commits. */
  heads: Map<string, string>;
}

/** Prepares the host (see PREPARE_SCRIPT); `dir` as the config gives it (relative: from the login's home). */
export async function prepareHost(
  host: HostTarget,
  dir: string,
  project: string,
  bundleId: string,
): Promise<PreparedHost> {
  const out = await onHostOutput(host, [
    'sh',
    '-c',
    PREPARE_SCRIPT,
    'flux-prepare',
    dir,
    project,
    bundleId,
    ...FLUX_EXCLUDES,
  ]);
  // A login's own words may come first: the answer starts at the line before the bundle's.
  const lines = out.trim().split('\n');
  const at = lines.findLastIndex((line) => line === 'bundle' || line === 'no-bundle');
  const heads = new Map<string, string>();
  for (const line of lines.slice(at + 1)) {
    const space = line.indexOf(' ');
    if (space > 0) heads.set(line.slice(space + 1), line.slice(0, space));
  }
  return { dir: lines[at - 1] ?? '', hasBundle: lines[at] === 'bundle', heads };
}

export function worktreeOnHost(paths: HostPaths, stage: string): string {
  return path.posix.join(paths.worktrees, stage);
}

/** Whether the stage's worktree is there (registered with the clone, and its folder present). */
export async function hostWorktrees(host: HostTarget, paths: HostPaths): Promise<Set<string>> {
  const result = await onHost(host, ['git', '-C', paths.repo, 'worktree', 'list', '--porcelain']);
  const found = new Set<string>();
  if (result.exitCode !== 0) return found;
  for (const line of result.stdout.split('\n'))
    if (line.startsWith('worktree ') && path.posix.dirname(line.slice(9)) === paths.worktrees)
      found.add(path.posix.basename(line.slice(9)));
  return found;
}

/** What `git status` lists in the host's worktree (as here: the same porcelain): uncommitted work is never merged. */
export async function hostDirtyFiles(host: HostTarget, dir: string): Promise<FileStatus[]> {
  const result = await onHost(host, [
    'git',
    '-C',
    dir,
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
  ]);
  if (result.exitCode !== 0)
    throw new ExternalError(`on ${host.name}: git status in ${dir} failed: ${result.stderr.trim()}`);
  return parseStatus(result.stdout);
}

/**
 * After the merge: the worktree and the branch go from the host (the commits
 * are in the base here). A worktree with changes git has not been told to
 * ignore stays, as one here would; the branch then stays with it.
 */
export async function removeHostStage(
  host: HostTarget,
  paths: HostPaths,
  stage: string,
  branch: string,
): Promise<void> {
  const dir = worktreeOnHost(paths, stage);
  const removed = await onHost(host, ['git', '-C', paths.repo, 'worktree', 'remove', dir]);
  await onHost(host, ['git', '-C', paths.repo, 'worktree', 'prune']);
  if (removed.exitCode !== 0 && (await hostWorktrees(host, paths)).has(stage))
    throw new ExternalError(
      `on ${host.name}: ${dir} was kept: ${removed.stderr.trim()}`,
      'commit or remove what is left there, then `flux run` cleans it up',
    );
  await onHost(host, ['git', '-C', paths.repo, 'branch', '-D', '--', branch]);
}
