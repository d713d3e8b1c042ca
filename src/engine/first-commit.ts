/**
 * Stages and tasks fork their branches from a commit, so a repository
 * without one is refused up front (exit 3) rather than failing later with
 * "base 'main' is not a commit".
 */
import type { Git } from '../effects/git.js';
import { RefusedError } from '../errors.js';

/**
 * The commit HEAD is at; RefusedError when there is none yet. `forks` says
 * what forks from it ("stages fork from it"), `command` what to run again.
 */
export async function requireFirstCommit(
  git: Pick<Git, 'headCommit'>,
  root: string,
  forks: string,
  command: string,
): Promise<string> {
  return git.headCommit().catch(() => {
    throw new RefusedError(
      `the repository at ${root} has no commits yet`,
      `make a first commit (${forks}), then run \`${command}\` again`,
    );
  });
}
