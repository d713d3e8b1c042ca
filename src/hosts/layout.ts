/**
 * Where Flux keeps things on a host, under its `dir` (docs/hosts.md):
 *
 *   <dir>/flux/<bundle>/      Flux's own bundle (dist/bin), copied there; Node runs it
 *   <dir>/<project>/repo.git  a bare clone: the base and stage branches arrive by git push
 *   <dir>/<project>/worktrees/<stage>
 *   <dir>/<project>/work/     the host's `.work`: agents' files, signals, handoffs,
 *                             bin/flux, spool/ (requests) and replies/
 *
 * `<project>` names the repository this machine runs the plan in, so two
 * repositories (or two clones) never share a host's clone.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface HostPaths {
  /** `dir`, absolute on the host. */
  dir: string;
  /** The folder holding this bundle's main.js and hook.js. */
  bundle: string;
  project: string;
  repo: string;
  worktrees: string;
  work: string;
  spool: string;
  replies: string;
}

/** `<repository folder name>-<8 hex of its path>`: readable, and unique per clone. */
export function projectKey(root: string): string {
  const name = path.basename(root).replace(/[^A-Za-z0-9._-]/g, '_') || 'repo';
  return `${name}-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`;
}

export function hostPaths(dir: string, root: string, bundleId: string): HostPaths {
  const project = path.posix.join(dir, projectKey(root));
  const work = path.posix.join(project, 'work');
  return {
    dir,
    bundle: path.posix.join(dir, 'flux', bundleId),
    project,
    repo: path.posix.join(project, 'repo.git'),
    worktrees: path.posix.join(project, 'worktrees'),
    work,
    spool: path.posix.join(work, 'spool'),
    replies: path.posix.join(work, 'replies'),
  };
}
