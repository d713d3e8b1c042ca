/**
 * Asking a host's Flux to start sessions there (`flux host launch`,
 * src/hosts/launch.ts): the worktree, the agent's files, the tmux session.
 * Starts asked for in the same turn of the event loop (a fan-out: the
 * stages the supervisor starts together reach here together) go
 * in one call, since each ssh session costs a round trip and the server's
 * set-up; the bases they start from go with it (base.ts), and the call is
 * one opened ahead (open-call.ts). ssh's own failure is
 * HostUnreachableError, for every start in it.
 */
import { ExternalError } from '../../errors.js';
import type {
  BaseBundle,
  HostLaunch,
  HostLaunchBatch,
  HostLaunched,
  HostLaunchResult,
} from '../../hosts/launch.js';
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
  const bases: BaseBundle[] = [];
  try {
    const paths = await world.ready();
    for (const base of new Set(batch.map((w) => w.request.base))) {
      const bundle = await world.baseFor(base);
      if (bundle !== undefined) bases.push(bundle);
    }
    const request: HostLaunchBatch = { repo: paths.repo, bases, launches: batch.map((w) => w.request) };
    const result = await world.askLaunch(paths, JSON.stringify(request), 60_000 + batch.length * 10_000);
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
    // An answer at all means the bases were fetched there (else every start says why not).
    if (answers.some((answer) => !('error' in answer)))
      for (const base of bases) world.landed(base.branch, base.commit);
    else for (const base of bases) world.forget(base.branch);
    batch.forEach((waiting, i) => {
      const answer = answers[i]!;
      if ('error' in answer)
        waiting.reject(new ExternalError(`on ${world.name}: could not start there: ${answer.error}`));
      else waiting.resolve(answer);
    });
  } catch (error) {
    for (const base of bases) world.forget(base.branch);
    for (const waiting of batch) waiting.reject(error);
  }
}
