/**
 * Calling tmux: one client call per request, on the user's server or a
 * private one (`-L <socket>`; tests never use the user's), with the
 * version check and the checks tmux itself does not make.
 */
import { lstat, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExternalError, RefusedError } from '../../errors.js';
import { runTool, toolFailure, type ToolResult } from '../exec.js';
import { parseVersion } from './parse.js';
import { escapeTmuxArg } from './quote.js';

const TMUX_MISSING_HINT =
  'install tmux 3.2 or newer: apt-get install tmux (Debian, Ubuntu) or brew install tmux (macOS)';
const MIN_VERSION = { major: 3, minor: 2 };

export interface TmuxClient {
  /** The `-L` socket name, or undefined for the user's default server. */
  readonly socket: string | undefined;
  /** `-L <socket>`, or nothing. */
  readonly socketArgs: readonly string[];
  /**
   * Runs tmux commands in one client call; several are chained with `;`, which tmux runs in order.
   * `-u`: in a locale that is not UTF-8 (LANG unset, `C`) tmux writes the tabs of `-F` formats as `_`.
   */
  run(...commands: (readonly string[])[]): Promise<ToolResult>;
  /** Runs one command and returns its output; a non-zero exit is an ExternalError. */
  output(command: readonly string[]): Promise<string>;
  isInstalled(): Promise<string>;
  /** Ends a private server and removes its socket file; refused for the user's own server. */
  killServer(): Promise<void>;
  /** Refuses a directory tmux would start in that is not there (on a host: trusted, it was just made). */
  checkDirectory(dir: string): Promise<void>;
}

/** How tmux is run: here, or on a host over ssh (src/effects/host/tmux.ts). */
export type TmuxRunner = (
  args: readonly string[],
  env: Record<string, string | undefined>,
) => Promise<ToolResult>;

const runHere: TmuxRunner = (args, env) => runTool('tmux', args, { env, missingHint: TMUX_MISSING_HINT });

/** Where tmux keeps a `-L` server's socket: `$TMUX_TMPDIR` (or /tmp), then `tmux-<uid>`. */
export function socketPath(socket: string, env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? os.userInfo().uid;
  return path.join(env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socket);
}

export function tmuxClient(
  options: { socket?: string; runner?: TmuxRunner; remote?: boolean } = {},
): TmuxClient {
  const socket = options.socket;
  const runner = options.runner ?? runHere;
  const socketArgs = socket === undefined ? [] : ['-L', socket];
  // On a private server, the runner's own TMUX must not leak in (it would name another server).
  const clientEnv = socket === undefined ? {} : { TMUX: undefined, TMUX_PANE: undefined };

  function run(...commands: (readonly string[])[]): Promise<ToolResult> {
    const args = ['-u', ...socketArgs];
    commands.forEach((command, index) => {
      if (index > 0) args.push(';');
      args.push(...command.map(escapeTmuxArg));
    });
    return runner(args, clientEnv);
  }

  async function output(command: readonly string[]): Promise<string> {
    const result = await run(command);
    if (result.exitCode !== 0) throw toolFailure('tmux', [...socketArgs, ...command], result);
    return result.stdout;
  }

  async function isInstalled(): Promise<string> {
    const result = await runner(['-V'], clientEnv);
    const version = parseVersion(result.stdout);
    // Builds from git report e.g. `tmux next-3.4` or `tmux master`; trust those.
    if (
      version !== null &&
      (version.major < MIN_VERSION.major ||
        (version.major === MIN_VERSION.major && version.minor < MIN_VERSION.minor))
    ) {
      throw new ExternalError(`${result.stdout} is too old; Flux needs tmux 3.2 or newer`, TMUX_MISSING_HINT);
    }
    return result.stdout;
  }

  async function killServer(): Promise<void> {
    if (socket === undefined) throw new RefusedError("Flux never ends the user's own tmux server");
    const result = await run(['kill-server']);
    if (result.exitCode !== 0 && !/no server running|error connecting/.test(result.stderr))
      throw toolFailure('tmux', [...socketArgs, 'kill-server'], result);
    if (options.remote === true) return;
    const file = socketPath(socket);
    // Only a socket: a name that happens to be a file of the user's is left alone.
    if ((await lstat(file).catch(() => null))?.isSocket() === true) await rm(file, { force: true });
  }

  const checkDirectory = options.remote === true ? () => Promise.resolve() : assertDirectory;
  return { socket, socketArgs, run, output, isInstalled, killServer, checkDirectory };
}

/** A missing directory makes tmux fall back silently (or its server exit): checked first. */
export async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new ExternalError(`cannot start a tmux session in ${dir}: no such directory`);
  }
}
