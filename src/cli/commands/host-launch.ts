/**
 * `flux host launch` (internal, run on a host by the supervisor over ssh):
 * a session's worktree, files and tmux session there, in one call
 * (src/hosts/launch.ts). The request is JSON on stdin; the answer one JSON line.
 */
import { readFileSync } from 'node:fs';
import { RefusedError } from '../../errors.js';
import { launchHere, type HostLaunch } from '../../hosts/launch.js';

export async function run(): Promise<number> {
  let request: HostLaunch;
  try {
    request = JSON.parse(readFileSync(0, 'utf8')) as HostLaunch;
  } catch (error) {
    throw new RefusedError(`flux host launch: stdin is not a request: ${(error as Error).message}`);
  }
  process.stdout.write(`${JSON.stringify(await launchHere(request))}\n`);
  return 0;
}
