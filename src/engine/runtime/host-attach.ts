/**
 * Attaching a terminal to a session on a host (docs/hosts.md): `ssh -t` to
 * the host, running the host's tmux attach there, over the host's shared
 * connection. The tmux argv is built with no environment, so nothing of this
 * machine's TMUX reaches it: inside a local tmux, ssh runs in the current
 * pane, and a local client is never switched to a remote server.
 */
import { mkdirSync } from 'node:fs';
import type { HostTarget } from '../../effects/host/call.js';
import { controlDir, sshArgs } from '../../effects/ssh/argv.js';
import { remoteCommand } from '../../effects/ssh/quote.js';
import type { Tmux } from '../../effects/tmux.js';
import type { Runtime } from '../runtime.js';

/** `ssh … -t <target> tmux -L <socket> attach-session -t =<name>`, the remote part quoted for the host's shell. */
export function hostAttachArgv(
  host: { target: HostTarget; tmux: Pick<Tmux, 'attachArgs'> },
  name: string,
): string[] {
  return [
    'ssh',
    ...sshArgs(host.target, { tty: true, command: remoteCommand(host.tmux.attachArgs(name, {})) }),
  ];
}

/** The argv that attaches to `name` on `host`, with the folder of ssh's control socket made (it may be the first call there). */
export function attachOnHost(rt: Runtime, host: string, name: string): string[] {
  mkdirSync(controlDir(), { recursive: true, mode: 0o700 });
  return hostAttachArgv(rt.hostWorld(host), name);
}
