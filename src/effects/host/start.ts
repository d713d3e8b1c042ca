/**
 * Asking a host's Flux to start sessions there (`flux host launch`,
 * src/hosts/launch.ts): the worktree, the agent's files, the tmux session.
 * Starts asked for in the same turn of the event loop (a fan-out: the
 * stages starting from one base resume together once its push is done) go
 * in one call, since each ssh session costs a round trip and the server's
 * set-up. ssh's own failure is HostUnreachableError, for every start in it.
 */
import { ExternalError } from '../../errors.js';
import type { HostLaunch, HostLaunched, HostLaunchResult } from '../../hosts/launch.js';
import { onHost } from './call.js';
import type { HostWorld } from './world.js';

interface Waiting {
  request: HostLaunch;
  resolve: (launched: HostLaunched) => void;
  reject: (error: unknown) => void;
}

const batches = new WeakMap<HostWorld, Waiting[]>();

export function launchOnHost(world: HostWorld, request: HostLaunch): Promise<HostLaunched> {
  return new Promise((resolve, reject) => {
    let batch = batches.get(world);
    if (batch === undefined) {
      batch = [];
      batches.set(world, batch);
      setImmediate(() => {
        batches.delete(world);
        void send(world, batch!);
      });
    }
    batch.push({ request, resolve, reject });
  });
}

async function send(world: HostWorld, batch: Waiting[]): Promise<void> {
  try {
    const paths = await world.ready();
    const result = await onHost(world.target, [...world.flux(paths), 'host', 'launch'], {
      input: JSON.stringify(batch.map((w) => w.request)),
      timeoutMs: 60_000 + batch.length * 10_000,
    });
    const line = result.stdout.trim().split('\n').at(-1) ?? '';
    let answers: HostLaunchResult[] | null = null;
    try {
      answers = result.exitCode === 0 ? (JSON.parse(line) as HostLaunchResult[]) : null;
    } catch {
      answers = null;
    }
    if (answers === null || answers.length !== batch.length) {
      const said = (result.stderr.trim() || line).split('\n').slice(-3).join(' ');
      throw new ExternalError(
        `on ${world.name}: could not start there: ${said || `exit ${result.exitCode}`}`,
      );
    }
    batch.forEach((waiting, i) => {
      const answer = answers[i]!;
      if ('error' in answer)
        waiting.reject(new ExternalError(`on ${world.name}: could not start there: ${answer.error}`));
      else waiting.resolve(answer);
    });
  } catch (error) {
    for (const waiting of batch) waiting.reject(error);
  }
}
