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
 * Made once: `sh -c` with a constant script and the paths as its arguments
 * (never spliced into it): the folders, the bare clone and its excludes.
 */
const PREPARE_SCRIPT = [
  'set -e',
  'mkdir -p -- "$1" "$2" "$3/spool" "$3/replies" "$3/handoffs" "$3/signals" "$3/agents" "$3/bin" "$3/logs"',
  '[ -d "$4/objects" ] || git init --bare --quiet -- "$4"',
  'mkdir -p -- "$4/info"',
].join('\n');

export async function prepareRepo(host: HostTarget, paths: HostPaths): Promise<void> {
  await onHostOutput(host, [
    'sh',
    '-c',
    PREPARE_SCRIPT,
    'flux-prepare',
    paths.project,
    paths.worktrees,
    paths.work,
    paths.repo,
  ]);
  // info/exclude: Flux's patterns (a rewrite of a file only Flux writes there).
  await onHostOutput(
    host,
    ['sh', '-c', 'cat > "$1"', 'flux-exclude', path.posix.join(paths.repo, 'info', 'exclude')],
    `# Flux workspace\n${FLUX_EXCLUDES.join('\n')}\n`,
  );
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
