/**
 * Asking a host's Flux to start a session there in one call (`flux host
 * launch`, src/hosts/launch.ts): the worktree, the agent's files, the tmux
 * session. ssh's own failure is HostUnreachableError, as for every call.
 */
import { ExternalError } from '../../errors.js';
import type { HostLaunch, HostLaunched } from '../../hosts/launch.js';
import { onHost } from './call.js';
import type { HostWorld } from './world.js';

export async function launchOnHost(world: HostWorld, request: HostLaunch): Promise<HostLaunched> {
  const paths = await world.ready();
  const result = await onHost(world.target, [...world.flux(paths), 'host', 'launch'], {
    input: JSON.stringify(request),
    timeoutMs: 60_000,
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.exitCode === 0) {
    try {
      return JSON.parse(line) as HostLaunched;
    } catch {
      // Told below.
    }
  }
  const said = (result.stderr.trim() || line).split('\n').slice(-3).join(' ');
  throw new ExternalError(`on ${world.name}: could not start there: ${said || `exit ${result.exitCode}`}`);
}
