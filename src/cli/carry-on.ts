/**
 * What a human command says after its decision about work going on: a
 * person's approval must never strand work, so when nothing is running the
 * command starts what can start and a supervisor to carry the rest
 * (`--no-start` opts out; FLUX_SUPERVISOR=off for scripts that drive every step).
 */
import type { Runtime } from '../engine/runtime.js';
import { carryOn } from '../engine/runtime/supervisor.js';
import { paint, print } from './output.js';

export async function carryOnAndSay(runtime: Runtime, options: { start?: boolean } = {}): Promise<void> {
  const result = await carryOn(runtime, { noStart: options.start === false });
  switch (result.kind) {
    case 'started':
      print(
        `Started the supervisor (pid ${result.pid}) to carry on${result.launched.length > 0 ? `; it started ${result.launched.join(', ')}` : ''}: \`flux ui\` watches it, \`flux stop\` stops it.`,
      );
      break;
    case 'not-started':
      if (result.why === 'no-start')
        print(paint('No supervisor is running (--no-start): `flux run` carries on from here.', 'dim'));
      break;
    default:
      break;
  }
}
