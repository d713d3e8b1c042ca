/** Folding the hosts' reachability (docs/hosts.md) into the state. */
import type { EventOf } from '../log/events.js';
import type { FluxState } from './state.js';

export function foldHostEvent(
  state: FluxState,
  event: EventOf<'host.unreachable'> | EventOf<'host.reachable'>,
): void {
  if (event.type === 'host.unreachable')
    (state.unreachable ??= {})[event.host] = { reason: event.reason, since: event.at };
  else if (state.unreachable !== undefined) delete state.unreachable[event.host];
}
