/** What the tmux effects report and take (`src/effects/tmux.ts` composes them into one `Tmux`). */

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

export interface SplitWindowOptions {
  /** Default: tmux's current pane. */
  target?: string;
  cwd: string;
  command: readonly string[];
  env?: Record<string, string>;
}

export interface RespawnPaneOptions {
  target: string;
  cwd: string;
  command: readonly string[];
  env?: Record<string, string>;
  remainOnExit?: boolean;
  label?: string;
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
  /**
   * Ends a private server (`-L`) and every session on it, and removes its
   * socket file, which tmux leaves behind. Refused for the user's own server.
   */
  killServer(): Promise<void>;
  /** The last `lines` non-empty-trailing lines of the pane; `target` is a session name or a pane id (`%3`). */
  capturePane(target: string, lines: number): Promise<string>;
  /** Key names (`Enter`, `C-c`) or, with `literal`, text typed as is. */
  sendKeys(target: string, keys: readonly string[], options?: { literal?: boolean }): Promise<void>;
  /** The foreground command of the pane (`claude`, `bash`). */
  paneCurrentCommand(target: string): Promise<string>;
  panePid(target: string): Promise<number>;
  /** A new pane running `command`, next to `target` (default: tmux's current pane); returns its id (`%7`). */
  splitWindow(options: SplitWindowOptions): Promise<string>;
  /** False when there was no such pane. */
  killPane(paneId: string): Promise<boolean>;
  /**
   * Runs `command` in an existing pane, in place of whatever runs there
   * (`respawn-pane -k`): the pane keeps its id. With `remainOnExit` the pane
   * stays (marked dead) after the command exits; `label` is kept in the pane
   * (`listPanes` reports it), so a pane id seen again after a server restart
   * is not mistaken for this one.
   */
  respawnPane(options: RespawnPaneOptions): Promise<void>;
  /**
   * The argv that attaches a terminal to `name` (to exec with stdio inherited):
   * `switch-client` from inside a client of the same server, else `attach-session`.
   */
  attachArgs(name: string, env?: NodeJS.ProcessEnv): string[];
}
