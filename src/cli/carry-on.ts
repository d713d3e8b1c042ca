/**
 * What a human command says after its decision about work going on: a
 * person's approval must never strand work, so when nothing is running the
 * command starts what can start and a supervisor to carry the rest
 * (`--no-start` opts out; FLUX_SUPERVISOR=off for scripts that drive every step).
 * The dashboard's keys carry on the same way and say it in their message.
 */
import type { Runtime } from '../engine/runtime.js';
import type { StageMergeOutcome } from '../engine/runtime.js';
import { carryOn, type CarryOn } from '../engine/runtime/supervisor.js';
import { paint, print } from './output.js';

export type { CarryOn } from '../engine/runtime/supervisor.js';

/** Starts what a decision lets start, and a supervisor if none runs (not with `start: false`). */
export function carryOnAfter(runtime: Runtime, options: { start?: boolean } = {}): Promise<CarryOn> {
  return carryOn(runtime, { noStart: options.start === false });
}

export async function carryOnAndSay(runtime: Runtime, options: { start?: boolean } = {}): Promise<void> {
  sayCarryOn(await carryOnAfter(runtime, options));
}

/**
 * A merge, then what it lets start, then its cleanup: the dependents' sessions
 * start before the merged stage's worktree and branch go (they are on no one's
 * critical path). Returns the merge's outcome and what to say about carrying on.
 */
export async function mergeThenCarryOn(
  runtime: Runtime,
  id: string,
  options: { start?: boolean } = {},
): Promise<{ outcome: StageMergeOutcome; carried: CarryOn }> {
  runtime.deferCleanups = true;
  const outcome = await runtime.merge(id);
  const carried = await carryOnAfter(runtime, options);
  await runtime.flushDeferred();
  return { outcome, carried };
}

/**
 * The words for carrying on; nothing when nothing is left to do. `where` is
 * who asks: a command points at `flux ui` to watch, and says nothing when a
 * supervisor already runs; the dashboard is watching already, and says who
 * carries on: the running supervisor, the one it started, or no one when
 * FLUX_SUPERVISOR=off kept it from starting one (a command run by a script
 * needs no word on that).
 */
export function carryOnLines(result: CarryOn, where: 'command' | 'dashboard' = 'command'): string[] {
  switch (result.kind) {
    case 'started': {
      const launched = result.launched.length > 0 ? `; it started ${result.launched.join(', ')}` : '';
      return [
        where === 'dashboard'
          ? `Started the supervisor (pid ${result.pid}) to carry on${launched}: \`flux stop\` stops it.`
          : `Started the supervisor (pid ${result.pid}) to carry on${launched}: \`flux ui\` watches it, \`flux stop\` stops it.`,
      ];
    }
    case 'running':
      // A command says nothing here; on the dashboard, it says who starts what comes next.
      return where === 'dashboard'
        ? [paint(`The supervisor (pid ${result.pid}) carries on from here.`, 'dim')]
        : [];
    case 'not-started':
      if (result.why === 'no-start')
        return [paint('No supervisor is running (--no-start): `flux run` carries on from here.', 'dim')];
      return where === 'dashboard'
        ? [paint('No supervisor is started (FLUX_SUPERVISOR=off): `flux run` carries on from here.', 'dim')]
        : [];
    default:
      return [];
  }
}

export function sayCarryOn(result: CarryOn): void {
  for (const line of carryOnLines(result)) print(line);
}
