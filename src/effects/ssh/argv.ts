/**
 * The ssh command line for a host of `[hosts.<name>]`. Every call to a host
 * shares one multiplexed connection (ControlMaster), so after the first the
 * cost of a call is a round trip, not a handshake; BatchMode means a missing
 * key is an error, never a password prompt in a background process.
 */
import os from 'node:os';
import path from 'node:path';

/**
 * Where the control sockets live. A socket path must stay under ~104 bytes,
 * so not in the repository (whose path can be long): a folder of this user's
 * in the runtime or temporary directory, `%C` a hash of host, port and user.
 */
export function controlDir(): string {
  const uid = process.getuid?.() ?? os.userInfo().uid;
  return path.join(process.env.XDG_RUNTIME_DIR || os.tmpdir(), `flux-ssh-${uid}`);
}

/** What reaches a host: the parts of `[hosts.<name>]` ssh needs. */
export interface SshTarget {
  /** `user@host` or a Host alias. */
  ssh: string;
  port?: number | undefined;
  ssh_options: readonly string[];
  check_host_key: boolean;
}

export interface SshCall {
  /** The remote command line (remoteCommand); none for a bare connection check. */
  command?: string;
  /** A terminal on the host (`flux attach`). */
  tty?: boolean;
  /** Seconds to wait for the connection. */
  connectTimeout?: number;
}

/** The argv (without the `ssh` itself) reaching `host`. */
export function sshArgs(host: SshTarget, call: SshCall = {}): string[] {
  // ssh keeps the first value it is given for an option: Flux's two rules come
  // first, then the host's own options, then defaults the host may override.
  const args = ['-o', 'BatchMode=yes', '-o', `StrictHostKeyChecking=${host.check_host_key ? 'yes' : 'no'}`];
  args.push(...host.ssh_options);
  args.push(
    '-o',
    `ConnectTimeout=${call.connectTimeout ?? 10}`,
    // A dropped link is noticed in ~15 s instead of the TCP timeout.
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${path.join(controlDir(), '%C')}`,
    '-o',
    'ControlPersist=60',
  );
  if (host.port !== undefined) args.push('-p', String(host.port));
  args.push(call.tty === true ? '-t' : '-T');
  args.push(host.ssh);
  if (call.command !== undefined) args.push(call.command);
  return args;
}
