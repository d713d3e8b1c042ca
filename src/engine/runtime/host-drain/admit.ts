/**
 * Whether a request from a host may be applied here. A host speaks only for
 * the sessions Flux placed on it, each for its own stage: a request naming
 * another host's session, a session of another stage, or `flux done` of
 * another stage is refused and never applied, whatever runs on that host.
 */
import type { RelayRequest } from '../../../hosts/protocol.js';
import type { FluxState } from '../../state.js';

/** Why `request` from `host` is refused; null when it may be applied. */
export function refusal(state: FluxState, host: string, request: RelayRequest): string | null {
  const session = state.sessions[request.session];
  if (session === undefined) return `no session ${request.session} in this plan's log`;
  if (session.stage !== request.stage)
    return `session ${request.session} is stage ${session.stage}'s, not ${request.stage}'s`;
  const placed = session.host ?? null;
  if (placed !== host)
    return `session ${request.session} runs ${placed === null ? 'on this machine' : `on ${placed}`}, not on ${host}`;
  if (request.kind === 'cli') {
    const [command, ...args] = request.argv;
    if (command === 'status') {
      if (args.some((arg) => arg !== '--json')) return `flux status from a host takes only --json`;
    } else if (args.length > 1 || (args.length === 1 && args[0] !== request.stage)) {
      return `flux ${command} from a host acts for its own stage only (${request.stage}), not ${JSON.stringify(args.join(' '))}`;
    }
  }
  return null;
}
