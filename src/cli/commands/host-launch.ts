/**
 * `flux host launch` (internal, run on a host by the supervisor over ssh):
 * the bases' bundles fetched, then the worktrees, files and tmux sessions of
 * the starts asked for together, in one call
 * (src/hosts/launch.ts). The request is JSON on stdin; the answer one JSON line.
 */
import { readFileSync } from 'node:fs';
import { RefusedError } from '../../errors.js';
import { launchBatch, type HostLaunchBatch } from '../../hosts/launch.js';

export async function run(): Promise<number> {
  const input = readFileSync(0, 'utf8');
  // A call opened ahead and dismissed (src/effects/host/open-call.ts): nothing asked.
  if (input.trim() === '') return 0;
  let batch: HostLaunchBatch;
  try {
    batch = JSON.parse(input) as HostLaunchBatch;
    if (typeof batch.repo !== 'string' || !Array.isArray(batch.bases) || !Array.isArray(batch.launches))
      throw new Error('not a batch of starts (repo, bases, launches)');
  } catch (error) {
    throw new RefusedError(`flux host launch: stdin is not a request: ${(error as Error).message}`);
  }
  process.stdout.write(`${JSON.stringify(await launchBatch(batch))}\n`);
  return 0;
}
