/**
 * Tmux effects: one detached session per agent, and the panes of ad hoc tasks.
 *
 * How tmux 3.x runs a command (checked against tmux 3.3a):
 * - two or more arguments after `--` are exec'd directly, with no shell, so
 *   they arrive exactly as given; a single argument is instead handed to the
 *   user's `default-shell -c`, so a one-word command is wrapped in
 *   `/bin/sh -c 'exec "$0"'` to keep it exact whatever that shell is;
 * - tmux splits its own argument list at any argument that ends in `;` (its
 *   command separator), so such an argument is sent as `…\;`;
 * - `-c <dir>` is format-expanded (`#{…}`), so `#` in a directory is doubled,
 *   and a missing directory makes tmux fall back silently (or its server
 *   exit), so it is checked first.
 * Tests run on a private server (`-L <socket>`), never the user's.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError, RefusedError } from '../errors.js';
import { runTool, toolFailure, type ToolResult } from './exec.js';

const TMUX_MISSING_HINT =
  'install tmux 3.2 or newer: apt-get install tmux (Debian, Ubuntu) or brew install tmux (macOS)';
const MIN_VERSION = { major: 3, minor: 2 };

/** tmux rewrites `.` and `:` in session names and reads `=`, `%`, `$`, `@` specially in targets. */
const SESSION_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

export interface TmuxSessionInfo {
  name: string;
  created: Date;
  /** How many clients are attached. */
  attached: number;
  /** Process id of the active pane's command; null if tmux does not say. */
  panePid: number | null;
  /** The command exited and the pane stays only because of remain-on-exit. */
  paneDead: boolean;
}

/** One pane of the server (`list-panes -a`). */
export interface TmuxPaneInfo {
  /** `%7`: stable for the pane's life, and a target of its own. */
  id: string;
  /** Its number in its window (what `Ctrl+B q` shows). */
  index: number;
  /** `@3` */
  window: string;
  windowIndex: number;
  session: string;
  pid: number | null;
  /** The command exited and the pane stays only because of remain-on-exit. */
  dead: boolean;
  /** The label `respawnPane` gave it (the pane option `@flux-label`); '' when none. */
  label: string;
}

/** The pane option that names what Flux runs in a pane: pane ids restart at %0 with the server. */
export const PANE_LABEL_OPTION = '@flux-label';

export interface NewSessionOptions {
  name: string;
  cwd: string;
  /** The program and its arguments, passed exactly (no shell). */
  command: readonly string[];
  /** Set in the session's environment (on top of the tmux server's). */
  env?: Record<string, string>;
  /** Keep the pane (marked dead) after the command exits. Default off: the session ends with it. */
  remainOnExit?: boolean;
}

export interface Tmux {
  /** The `-L` socket name, or undefined for the user's default server. */
  readonly socket: string | undefined;
  /** The tmux version; ExternalError (with how to install) when tmux is missing or too old. */
  isInstalled(): Promise<string>;
  /** RefusedError when a session of that name exists. */
  newSession(options: NewSessionOptions): Promise<void>;
  /**
   * Exact name match (`flux-a` never matches `flux-ab`). A pane id (`%7`)
   * is alive when the pane exists and its command has not exited.
   */
  hasSession(name: string): Promise<boolean>;
  listSessions(prefix?: string): Promise<TmuxSessionInfo[]>;
  /** Every pane of the server, in every session (none when no server runs). */
  listPanes(): Promise<TmuxPaneInfo[]>;
  /** False when there was no such session (or, for a pane id, no such pane). */
  killSession(name: string): Promise<boolean>;
  /** The last `lines` non-empty-trailing lines of the pane; `target` is a session name or a pane id (`%3`). */
  capturePane(target: string, lines: number): Promise<string>;
  /** Key names (`Enter`, `C-c`) or, with `literal`, text typed as is. */
  sendKeys(target: string, keys: readonly string[], options?: { literal?: boolean }): Promise<void>;
  /** The foreground command of the pane (`claude`, `bash`). */
  paneCurrentCommand(target: string): Promise<string>;
  panePid(target: string): Promise<number>;
  /** A new pane running `command`, next to `target` (default: tmux's current pane); returns its id (`%7`). */
  splitWindow(options: {
    target?: string;
    cwd: string;
    command: readonly string[];
    env?: Record<string, string>;
  }): Promise<string>;
  /** False when there was no such pane. */
  killPane(paneId: string): Promise<boolean>;
  /**
   * Runs `command` in an existing pane, in place of whatever runs there
   * (`respawn-pane -k`): the pane keeps its id. With `remainOnExit` the pane
   * stays (marked dead) after the command exits; `label` is kept in the pane
   * (`listPanes` reports it), so a pane id seen again after a server restart
   * is not mistaken for this one.
   */
  respawnPane(options: {
    target: string;
    cwd: string;
    command: readonly string[];
    env?: Record<string, string>;
    remainOnExit?: boolean;
    label?: string;
  }): Promise<void>;
  /**
   * The argv that attaches a terminal to `name` (to exec with stdio inherited):
   * `switch-client` from inside a client of the same server, else `attach-session`.
   */
  attachArgs(name: string, env?: NodeJS.ProcessEnv): string[];
}

// ---- quoting ---------------------------------------------------------------

/** Quotes one word for a POSIX shell, so the shell reads it back exactly. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line a POSIX shell splits back into exactly `argv` (for printing, e.g. `--manual`). */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** tmux ends a command at an argument ending in `;`; `\;` keeps the semicolon. */
export function escapeTmuxArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

function assertSessionName(name: string): void {
  if (!SESSION_NAME_PATTERN.test(name)) {
    throw new RefusedError(
      `'${name}' cannot be a tmux session name`,
      'use letters, digits, `_` and `-` (tmux rewrites `.` and `:`)',
    );
  }
}

/** `%7`: a pane id, as tmux prints it (`#{pane_id}`); a session name never starts with `%`. */
export function isPaneId(target: string): boolean {
  return /^%\d+$/.test(target);
}

/** A session name becomes an exact-match target (`=name:` = its current window's active pane). */
function paneTarget(target: string): string {
  return target.startsWith('%') ? target : `=${target}:`;
}

/** What to put after `--`: exact argv, also for a lone program (see the file comment). */
function commandArgs(command: readonly string[]): string[] {
  if (command.length === 0) throw new RefusedError('a tmux session needs a command to run');
  return command.length === 1 ? ['/bin/sh', '-c', 'exec "$0"', command[0] ?? ''] : [...command];
}

function envArgs(env: Record<string, string> = {}): string[] {
  return Object.entries(env).flatMap(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new RefusedError(`invalid environment variable name '${key}'`);
    return ['-e', `${key}=${value}`];
  });
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new ExternalError(`cannot start a tmux session in ${dir}: no such directory`);
  }
}

export function parseVersion(output: string): { major: number; minor: number } | null {
  const match = /(\d+)\.(\d+)/.exec(output);
  return match === null ? null : { major: Number(match[1]), minor: Number(match[2]) };
}

// ---- the real implementation ----------------------------------------------

export function createTmux(options: { socket?: string } = {}): Tmux {
  const socket = options.socket;
  const socketArgs = socket === undefined ? [] : ['-L', socket];
  // On a private server, the runner's own TMUX must not leak in (it would name another server).
  const clientEnv = socket === undefined ? {} : { TMUX: undefined, TMUX_PANE: undefined };

  /** Runs tmux commands in one client call; several are chained with `;`, which tmux runs in order. */
  function run(...commands: (readonly string[])[]): Promise<ToolResult> {
    const args = [...socketArgs];
    commands.forEach((command, index) => {
      if (index > 0) args.push(';');
      args.push(...command.map(escapeTmuxArg));
    });
    return runTool('tmux', args, { env: clientEnv, missingHint: TMUX_MISSING_HINT });
  }

  async function output(command: readonly string[]): Promise<string> {
    const result = await run(command);
    if (result.exitCode !== 0) throw toolFailure('tmux', [...socketArgs, ...command], result);
    return result.stdout;
  }

  async function isInstalled(): Promise<string> {
    const result = await runTool('tmux', ['-V'], { env: clientEnv, missingHint: TMUX_MISSING_HINT });
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

  async function hasSession(name: string): Promise<boolean> {
    if (isPaneId(name)) return (await listPanes()).some((pane) => pane.id === name && !pane.dead);
    const result = await run(['has-session', '-t', `=${name}`]);
    return result.exitCode === 0;
  }

  async function listPanes(): Promise<TmuxPaneInfo[]> {
    const format = [
      '#{pane_id}',
      '#{pane_index}',
      '#{window_id}',
      '#{window_index}',
      '#{session_name}',
      '#{pane_pid}',
      '#{pane_dead}',
      `#{${PANE_LABEL_OPTION}}`,
    ];
    const result = await run(['list-panes', '-a', '-F', format.join('\t')]);
    if (result.exitCode !== 0) {
      if (/no server running|error connecting/.test(result.stderr)) return [];
      throw toolFailure('tmux', ['list-panes', '-a'], result);
    }
    return result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [
          id = '',
          index = '0',
          window = '',
          windowIndex = '0',
          session = '',
          pid = '',
          dead = '',
          label = '',
        ] = line.split('\t');
        return {
          id,
          index: Number(index),
          window,
          windowIndex: Number(windowIndex),
          session,
          pid: pid === '' ? null : Number(pid),
          dead: dead === '1',
          label,
        };
      });
  }

  async function newSession(session: NewSessionOptions): Promise<void> {
    assertSessionName(session.name);
    await assertDirectory(session.cwd);
    const cwd = path.resolve(session.cwd).replaceAll('#', '##');
    const create = [
      'new-session',
      '-d',
      '-s',
      session.name,
      '-c',
      cwd,
      '-x',
      '200',
      '-y',
      '50',
      ...envArgs(session.env),
      '--',
      ...commandArgs(session.command),
    ];
    // Chained in the same call, so the option is set before a quick command can exit.
    const remain = [
      'set-option',
      '-w',
      '-t',
      `=${session.name}:`,
      'remain-on-exit',
      session.remainOnExit ? 'on' : 'off',
    ];
    const result = await run(create, remain);
    if (result.exitCode === 0) return;
    if (result.stderr.includes('duplicate session')) {
      throw new RefusedError(
        `tmux session '${session.name}' already exists`,
        `attach to it, or kill it first`,
      );
    }
    // A command that exits at once ends the session before set-option runs; that is not a failure.
    if (result.stderr.includes("can't find") && !(await hasSession(session.name))) return;
    throw toolFailure('tmux', create, result);
  }

  async function listSessions(prefix = ''): Promise<TmuxSessionInfo[]> {
    const format = [
      '#{session_name}',
      '#{session_created}',
      '#{session_attached}',
      '#{pane_pid}',
      '#{pane_dead}',
    ];
    const result = await run(['list-sessions', '-F', format.join('\t')]);
    if (result.exitCode !== 0) {
      // No server yet simply means no sessions.
      if (/no server running|error connecting/.test(result.stderr)) return [];
      throw toolFailure('tmux', ['list-sessions'], result);
    }
    return result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [name = '', created = '0', attached = '0', pid = '', dead = ''] = line.split('\t');
        return {
          name,
          created: new Date(Number(created) * 1000),
          attached: Number(attached),
          panePid: pid === '' ? null : Number(pid),
          paneDead: dead === '1',
        };
      })
      .filter((session) => session.name.startsWith(prefix));
  }

  async function killSession(name: string): Promise<boolean> {
    if (isPaneId(name)) return killPane(name);
    const result = await run(['kill-session', '-t', `=${name}`]);
    if (result.exitCode === 0) return true;
    if (!(await hasSession(name))) return false;
    throw toolFailure('tmux', ['kill-session', '-t', `=${name}`], result);
  }

  async function capturePane(target: string, lines: number): Promise<string> {
    const count = Math.max(1, Math.floor(lines));
    // -J joins wrapped lines; history plus the screen covers `count` lines even when the screen is mostly blank.
    const text = await output(['capture-pane', '-p', '-J', '-t', paneTarget(target), '-S', `-${count}`]);
    const all = text.split('\n').map((line) => line.trimEnd());
    while (all.length > 0 && all.at(-1) === '') all.pop();
    return all.slice(-count).join('\n');
  }

  async function sendKeys(
    target: string,
    keys: readonly string[],
    opts: { literal?: boolean } = {},
  ): Promise<void> {
    await output(['send-keys', ...(opts.literal ? ['-l'] : []), '-t', paneTarget(target), '--', ...keys]);
  }

  async function paneFormat(target: string, format: string): Promise<string> {
    return output(['display-message', '-p', '-t', paneTarget(target), format]);
  }

  async function splitWindow(split: {
    target?: string;
    cwd: string;
    command: readonly string[];
    env?: Record<string, string>;
  }): Promise<string> {
    await assertDirectory(split.cwd);
    const targetArgs = split.target === undefined ? [] : ['-t', paneTarget(split.target)];
    const cwd = path.resolve(split.cwd).replaceAll('#', '##');
    return output([
      'split-window',
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      ...targetArgs,
      '-c',
      cwd,
      ...envArgs(split.env),
      '--',
      ...commandArgs(split.command),
    ]);
  }

  async function killPane(paneId: string): Promise<boolean> {
    const result = await run(['kill-pane', '-t', paneId]);
    return result.exitCode === 0;
  }

  async function respawnPane(respawn: {
    target: string;
    cwd: string;
    command: readonly string[];
    env?: Record<string, string>;
    remainOnExit?: boolean;
    label?: string;
  }): Promise<void> {
    await assertDirectory(respawn.cwd);
    const target = paneTarget(respawn.target);
    const cwd = path.resolve(respawn.cwd).replaceAll('#', '##');
    const command = [
      'respawn-pane',
      '-k',
      '-t',
      target,
      '-c',
      cwd,
      ...envArgs(respawn.env),
      '--',
      ...commandArgs(respawn.command),
    ];
    // Chained, so the option is set before a quick command can exit.
    const remain = ['set-option', '-p', '-t', target, 'remain-on-exit', respawn.remainOnExit ? 'on' : 'off'];
    const label =
      respawn.label === undefined
        ? []
        : [['set-option', '-p', '-t', target, PANE_LABEL_OPTION, respawn.label]];
    const result = await run(command, remain, ...label);
    if (result.exitCode !== 0) throw toolFailure('tmux', command, result);
  }

  function attachArgs(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
    const tmux = ['tmux', ...socketArgs];
    // A pane id targets its session, window and pane at once.
    const target = ['-t', isPaneId(name) ? name : `=${name}`];
    const inside = env.TMUX;
    if (inside === undefined || inside === '') return [...tmux, 'attach-session', ...target];
    // $TMUX is `<socket path>,<server pid>,<session index>`.
    const insideSocket = path.basename(inside.split(',')[0] ?? '');
    if (socket === undefined || insideSocket === socket) return [...tmux, 'switch-client', ...target];
    // Inside a client of another server: tmux refuses to nest unless TMUX is unset.
    return ['env', '-u', 'TMUX', ...tmux, 'attach-session', ...target];
  }

  return {
    socket,
    isInstalled,
    newSession,
    hasSession,
    listSessions,
    listPanes,
    killSession,
    capturePane,
    sendKeys,
    paneCurrentCommand: (target) => paneFormat(target, '#{pane_current_command}'),
    panePid: async (target) => Number(await paneFormat(target, '#{pane_pid}')),
    splitWindow,
    killPane,
    respawnPane,
    attachArgs,
  };
}
