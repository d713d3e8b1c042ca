/**
 * The base goes to a host with the launch call that needs it, as a git
 * bundle (git's own transfer format; git there checks it and fetches from
 * it), rather than by a `git push` of its own: the push is a second ssh
 * session and git's negotiation, a round trip more on every fan-out. The
 * bundle holds only what the host's clone lacks (its tip of the base, as
 * the host said when it was made ready, is the bundle's prerequisite).
 * When no bundle can be made (the host's tip is not known here, the base
 * went back) or it is large, the caller pushes instead.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BaseBundle } from '../../hosts/launch.js';
import { runGit } from '../git/run.js';

/** Past this, the base goes by `git push` (a request is read whole there). */
export const BUNDLE_LIMIT_BYTES = 8 * 1024 * 1024;

let made = 0;

/**
 * A bundle of `branch` as it is now for a host whose clone has `theirs` (its
 * tip of the branch; undefined: none). Null when none can be made or it is
 * over the limit.
 */
export async function baseBundle(
  root: string,
  scratch: string,
  branch: string,
  theirs: string | undefined,
  limit = BUNDLE_LIMIT_BYTES,
): Promise<BaseBundle | null> {
  if (theirs !== undefined) {
    const known = await runGit(['cat-file', '-e', `${theirs}^{commit}`], { cwd: root });
    if (known.exitCode !== 0) return null;
  }
  mkdirSync(scratch, { recursive: true });
  const file = path.join(scratch, `base-${process.pid}-${++made}.bundle`);
  try {
    const created = await runGit(
      ['bundle', 'create', file, `refs/heads/${branch}`, ...(theirs === undefined ? [] : [`^${theirs}`])],
      { cwd: root },
    );
    if (created.exitCode !== 0) return null;
    const bytes = readFileSync(file);
    if (bytes.length > limit) return null;
    // The commit the bundle holds (the branch may have moved since it was asked for).
    const heads = await runGit(['bundle', 'list-heads', file, `refs/heads/${branch}`], { cwd: root });
    const commit = heads.stdout.split(' ')[0] ?? '';
    if (heads.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
    return { branch, commit, data: bytes.toString('base64') };
  } finally {
    rmSync(file, { force: true });
  }
}
