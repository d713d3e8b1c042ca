/**
 * A real OpenSSH server of the tests' own on 127.0.0.1: a free port, throwaway
 * host and user keys, a private AuthorizedKeysFile and known_hosts, so tests
 * never touch the machine's ssh set-up. It serves the user running the tests
 * (sshd run unprivileged can only log its own user in; run as root it logs
 * root in with the key only). `stop()` and `start()` again model a dropped
 * connection: stopping the listener alone would leave the connections it
 * accepted open (each is a process of its own, as with any sshd), so
 * `stop()` ends those too; `close()` ends it for good.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './wait.js';

export const SSHD_BIN = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((bin) => existsSync(bin));

/**
 * Why the ssh tests cannot run here, or undefined when they can. On CI
 * (which installs openssh-server) nothing is skipped: a missing sshd fails.
 */
export function sshdSkipReason(): string | undefined {
  if (process.env.CI) return undefined;
  if (SSHD_BIN === undefined) return 'no sshd (apt-get install openssh-server)';
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'no ssh client';
  }
  return undefined;
}

export interface TestSshd {
  port: number;
  user: string;
  /** `user@127.0.0.1`. */
  target: string;
  /** The client options that reach this server: key, known_hosts, no agent, no user config. */
  sshOptions: string[];
  /** A directory for the tests' files "on the host" (the same machine). */
  home: string;
  /** The server's log: what it said about each connection. */
  log(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The pids of `pid`'s children (Linux's /proc, else ps). */
function childrenOf(pid: number): number[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    try {
      text = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    } catch {
      return [];
    }
  }
  return text
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number);
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'flux-test', '-f', file], {
    stdio: 'ignore',
  });
}

export interface SshdOptions {
  /** PATH of every login (e.g. a folder without node, to model a host that lacks it). */
  loginPath?: string;
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  if (SSHD_BIN === undefined) throw new Error('no sshd (apt-get install openssh-server)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flux-sshd-'));
  const user = os.userInfo().username;
  const port = await freePort();
  const hostKey = path.join(dir, 'host_key');
  const userKey = path.join(dir, 'user_key');
  keygen(hostKey);
  keygen(userKey);
  const authorized = path.join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${userKey}.pub`), { mode: 0o600 });
  const knownHosts = path.join(dir, 'known_hosts');
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPub}\n`);
  const logFile = path.join(dir, 'sshd.log');
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      // The temporary directory is not root-owned all the way up.
      'StrictModes no',
      'UsePAM no',
      `AllowUsers ${user}`,
      // The client's TERM, nothing else of its environment.
      'AcceptEnv TERM',
      'PrintMotd no',
      'LogLevel VERBOSE',
      ...(options.loginPath === undefined ? [] : [`SetEnv PATH=${options.loginPath}`]),
      '',
    ].join('\n'),
  );
  const home = path.join(dir, 'host');
  execFileSync('mkdir', ['-p', home]);
  const sshOptions = [
    '-i',
    userKey,
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-F',
    '/dev/null',
  ];

  // sshd run as root wants its privilege-separation directory.
  if (process.getuid?.() === 0) execFileSync('mkdir', ['-p', '/run/sshd']);
  let child: ChildProcess | undefined;
  const reachable = () => {
    try {
      execFileSync(
        'ssh',
        [
          '-p',
          String(port),
          ...sshOptions,
          '-o',
          'BatchMode=yes',
          '-o',
          'ConnectTimeout=2',
          `${user}@127.0.0.1`,
          'true',
        ],
        { stdio: 'ignore', timeout: 5_000 },
      );
      return true;
    } catch {
      return false;
    }
  };
  const start = async () => {
    // -D: stay in the foreground (the test owns it); -E: log to a file.
    child = spawn(SSHD_BIN, ['-D', '-f', config, '-E', logFile], { stdio: 'ignore' });
    await waitFor(() => (reachable() ? true : undefined), {
      what: `sshd on 127.0.0.1:${port} to accept a login (log: ${logFile})`,
      timeoutMs: 20_000,
      intervalMs: 100,
    });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    // The connections open now: the listener's children (each one's own sshd process).
    const connections = running.pid === undefined ? [] : childrenOf(running.pid);
    const ended = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await ended;
    // Killed, not ended cleanly: the client sees its link drop, as when a machine goes away.
    for (const pid of connections) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Ended already.
      }
    }
  };
  await start();
  return {
    port,
    user,
    target: `${user}@127.0.0.1`,
    sshOptions,
    home,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
