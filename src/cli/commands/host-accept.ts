/**
 * `flux host accept` (internal, run on a host by the supervisor over ssh):
 * the acceptance runner on a stage's worktree there. The request is JSON on
 * stdin (src/effects/host/accept.ts); the commands' output goes to stderr as
 * it comes, the report is one JSON line on stdout.
 */
import { readFileSync } from 'node:fs';
import type { AcceptRequest } from '../../effects/host/accept.js';
import { acceptHere } from '../../engine/runtime/standalone.js';
import { RefusedError } from '../../errors.js';

export async function run(): Promise<number> {
  let request: AcceptRequest;
  try {
    request = JSON.parse(readFileSync(0, 'utf8')) as AcceptRequest;
  } catch (error) {
    throw new RefusedError(`flux host accept: stdin is not a request: ${(error as Error).message}`);
  }
  const report = await acceptHere({
    cwd: request.cwd,
    commands: request.commands,
    timeoutMs: request.timeoutMs,
    ...(request.env === undefined ? {} : { env: request.env }),
    onOutput: (chunk) => process.stderr.write(chunk),
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}
