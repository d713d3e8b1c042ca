/**
 * `flux host launch` (internal, run on a host by the supervisor over ssh):
 * the worktrees, files and tmux sessions of the starts asked for together, in one call
 * (src/hosts/launch.ts). The request is JSON on stdin; the answer one JSON line.
 */
import { readFileSync } from 'node:fs';
import { RefusedError } from '../../errors.js';
import { launchAllHere, type HostLaunch } from '../../hosts/launch.js';

export async function run(): Promise<number> {
  let requests: HostLaunch[];
  try {
    requests = JSON.parse(readFileSync(0, 'utf8')) as HostLaunch[];
    if (!Array.isArray(requests)) throw new Error('not a list of starts');
  } catch (error) {
    throw new RefusedError(`flux host launch: stdin is not a request: ${(error as Error).message}`);
  }
  process.stdout.write(`${JSON.stringify(await launchAllHere(requests))}\n`);
  return 0;
}
