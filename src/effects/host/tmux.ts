/**
 * A host's tmux, driven over ssh with the same client as this machine's
 * (src/effects/tmux/): the argv is quoted for the host's shell, so the
 * arguments reach tmux there exactly as here. Its server is the host user's,
 * on the socket Flux names (`-L`), never spliced into a shell line.
 */
import { createTmux, type Tmux } from '../tmux.js';
import { onHost, type HostTarget } from './call.js';

export function createHostTmux(host: HostTarget, socket: string | undefined): Tmux {
  return createTmux({
    ...(socket === undefined ? {} : { socket }),
    remote: true,
    // The host's own environment decides TMUX there: nothing of this process's is sent.
    runner: (args) => onHost(host, ['tmux', ...args]),
  });
}
