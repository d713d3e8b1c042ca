/**
 * Acceptance (and setup) commands of a stage on a host run there, in its
 * worktree, by the host's own Flux (`flux host accept`): the same runner as
 * here (src/effects/acceptance.ts), with its process groups and a timeout
 * that holds. Its output streams back on stderr as it comes; the report is
 * the one JSON line on stdout.
 */
import { ExternalError } from '../../errors.js';
import type { AcceptanceOptions, AcceptanceReport } from '../acceptance.js';
import { streamOnHost } from './call.js';
import type { HostWorld } from './world.js';

export interface AcceptRequest {
  cwd: string;
  commands: readonly string[];
  timeoutMs: number;
  env?: Record<string, string>;
}

export async function acceptOnHost(world: HostWorld, options: AcceptanceOptions): Promise<AcceptanceReport> {
  const paths = await world.ready();
  const request: AcceptRequest = {
    cwd: options.cwd,
    commands: options.commands,
    timeoutMs: options.timeoutMs,
    ...(options.env === undefined ? {} : { env: options.env }),
  };
  const result = await streamOnHost(world.target, [...world.flux(paths), 'host', 'accept'], {
    input: JSON.stringify(request),
    onStderr: (chunk) => options.onOutput?.(chunk, ''),
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    const report = JSON.parse(line) as AcceptanceReport;
    if (typeof report.passed === 'boolean' && Array.isArray(report.results)) return report;
  } catch {
    // Told below.
  }
  throw new ExternalError(
    `${world.name} did not run the acceptance commands (exit ${result.exitCode}): ${line.slice(0, 200) || 'no report'}`,
    'check the host with `flux doctor`',
  );
}
