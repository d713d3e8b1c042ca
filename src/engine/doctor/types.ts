/**
 * What `flux doctor` looks at and what it says: the facts gathered from the
 * machine (src/engine/runtime/doctor-facts.ts, effects) and the checks made
 * of them (checks.ts, pure), so each check can be tested with given facts.
 */

/** `ok`: fine. `fail`: something to fix (exit 1). `warn`: worth knowing, nothing to fix. `skip`: not needed here. */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip';

export type CheckGroup = 'tools' | 'agent' | 'workspace' | 'hosts';

export interface Check {
  group: CheckGroup;
  /** Stable name, e.g. `agent.trust` (the `--json` output carries it). */
  id: string;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** More lines, e.g. one orphan each. */
  details?: string[];
  /** The command (or step) that fixes a failed check. */
  fix?: string;
}

/** A program run for its version: what it printed, or why it could not run. */
export type VersionFact = { found: true; output: string } | { found: false; error: string };

/** The parts of Claude Code's own config file (`.claude.json`) the checks read. */
export interface ClaudeConfigJson {
  hasCompletedOnboarding?: unknown;
  projects?: Record<string, { hasTrustDialogAccepted?: unknown } | undefined>;
  oauthAccount?: { emailAddress?: unknown } | null;
  primaryApiKey?: unknown;
  customApiKeyResponses?: { approved?: unknown };
}

/** Where a variable of the agent's environment comes from. */
export type EnvSource = 'claude.env' | 'environment';

export interface ClaudeFacts {
  /** `claude.command` of the config. */
  command: string;
  /** The executable it resolves to; null when not found. */
  path: string | null;
  /** `claude --version`; undefined when not asked (the check before `flux run` does not). */
  version?: VersionFact;
  /** The repository whose trust matters (the main worktree); null outside a repository. */
  root: string | null;
  /** The `.claude.json` claude reads with the session's HOME / CLAUDE_CONFIG_DIR. */
  configFile: string;
  /** Its content; null when missing; a string when it is not readable JSON (why). */
  config: ClaudeConfigJson | null | string;
  /** Claude Code's config folder (`$CLAUDE_CONFIG_DIR`, else `~/.claude`). */
  configDir: string;
  /** `<configDir>/.credentials.json` holds a login (`claudeAiOauth`). */
  credentialsLogin: boolean;
  /** `apiKeyHelper` in `[claude] settings` (the settings Flux gives each session). */
  fluxApiKeyHelper: boolean;
  /** `apiKeyHelper` in the user's `<configDir>/settings.json`. */
  userApiKeyHelper: boolean;
  /** Variables of the session's environment that give claude a key, and where each comes from. */
  env: Partial<Record<KeyVariable, { source: EnvSource; value: string }>>;
  /** The model the sessions use: `claude.model`, `--model` in extra_args or ANTHROPIC_MODEL; '' for Claude Code's default. */
  model: string;
  /** `autoCompactWindow` of `[claude] settings` (or CLAUDE_CODE_AUTO_COMPACT_WINDOW), when set. */
  autoCompactWindow: number | null;
  /** `run.handoff_threshold`, percent. */
  handoffThreshold: number;
}

export const KEY_VARIABLES = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_USE_FOUNDRY',
] as const;
export type KeyVariable = (typeof KEY_VARIABLES)[number];

/** The agent `run.agent` names, and what is known of it. */
export type AgentFacts =
  | { kind: 'sim' }
  | { kind: 'command'; name: string; program: string; found: boolean }
  | ({ kind: 'claude' } & ClaudeFacts);

/** One of the workspace's lock files, present on disk. */
export interface LockFact {
  /** `events.lock`, `effects.lock`, `monitor.lock`. */
  name: string;
  file: string;
  /** The pid that holds it; null when the file does not say (empty, torn). */
  pid: number | null;
  /** Whether that pid runs; null when it cannot be told (another host). */
  alive: boolean | null;
  /** Since when it is held (or the file's age when it does not say), ms since the epoch. */
  since: number;
}

export type SupervisorFact =
  | { running: true; pid: number; since: string; version: string }
  | { running: false; leftoverPid: number | null };

export interface WorkspaceFacts {
  /** The repository's main worktree; null outside a repository. */
  root: string | null;
  /** `.work/events.jsonl` exists. */
  present: boolean;
  /** `.work/config.toml` exists without a log (written by hand before any task). */
  configWithoutLog: boolean;
  /** Reading `.work/config.toml`: null when fine. */
  configError: { message: string; hint?: string } | null;
  /** Replaying the log: its event count, or why it does not replay. */
  log: { ok: true; events: number } | { ok: false; message: string; hint?: string } | null;
  locks: LockFact[];
  /** `flux/*` branches (full names). */
  branches: string[];
  /** Folders under `.worktrees/`. */
  worktreeDirs: string[];
  /** Tmux sessions on Flux's server whose name starts with the session prefix; null when tmux could not be asked. */
  tmuxSessions: string[] | null;
  /** The branches, worktree folders and tmux sessions that belong to a stage, a task or a live session. */
  known: { branches: string[]; worktreeDirs: string[]; liveTmux: string[] };
  /** `tmux.socket` (or FLUX_TMUX_SOCKET): the `-L` of the fix commands. */
  tmuxSocket: string | undefined;
  supervisor: SupervisorFact;
  /** Now, ms since the epoch (locks' ages). */
  now: number;
}

/** What one `[hosts.<name>]` has, asked over ssh. */
export interface HostFact {
  name: string;
  /** `box1 (me@box1:2222)`. */
  described: string;
  /** `user@host` as configured. */
  target: string;
  /** The ssh command line a person can try (`-p 2222 me@box1`). */
  sshShown: string;
  /** Logging in (BatchMode) worked, or ssh's own word on why not. */
  reach: { ok: true } | { ok: false; why: string };
  node: VersionFact;
  git: VersionFact;
  tmux: VersionFact;
  /** `dir` made and writable there: its absolute path, or why not. */
  dir: { ok: true; path: string } | { ok: false; path: string; error: string };
}

export interface DoctorFacts {
  git: VersionFact;
  tmux: VersionFact;
  /** One per `[hosts.<name>]`, in the config's order. */
  hosts: HostFact[];
  /** `run.agent` of the config ('claude' without a workspace). */
  agent: AgentFacts;
  workspace: WorkspaceFacts;
}
