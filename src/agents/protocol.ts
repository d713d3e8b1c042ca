/**
 * The contract between Flux and the agent processes it starts in tmux.
 *
 * Every agent session gets these environment variables; hooks, `flux done`
 * and `flux handoff` read them to know which session and stage they act for.
 */
export const ENV = {
  /** The Flux session id, e.g. `stage-2-api.s1`. */
  session: 'FLUX_SESSION',
  /** The stage id. */
  stage: 'FLUX_STAGE',
  /** Absolute path of the main `.work/` directory. */
  workDir: 'FLUX_WORK_DIR',
  /** JSON array: the argv prefix that runs Flux, e.g. `["/usr/bin/node","/x/dist/cli/main.js"]`. */
  fluxCommand: 'FLUX_COMMAND',
  // The hooks' settings (`run.*` of .work/config.toml): `flux hook` must not load the config file on every turn.
  /** `run.handoff_threshold`, percent. */
  handoffThreshold: 'FLUX_HANDOFF_THRESHOLD',
  /** `run.stop_reminders`. */
  stopReminders: 'FLUX_STOP_REMINDERS',
  /** `run.permission_wait`, seconds. */
  permissionWait: 'FLUX_PERMISSION_WAIT',
  /** `budget.usd` of .work/config.toml: the default stage budget in US dollars (0: none). */
  budgetUsd: 'FLUX_BUDGET_USD',
  /** `budget.minutes`: the default stage budget in minutes of wall time (0: none). */
  budgetMinutes: 'FLUX_BUDGET_MINUTES',
  /** `budget.tokens`: the default stage budget in tokens (0: none). */
  budgetTokens: 'FLUX_BUDGET_TOKENS',
  /** The simulated agent's session id, chosen and recorded by Flux (claude gets it as `--session-id`). */
  agentSessionId: 'FLUX_AGENT_SESSION_ID',
} as const;

/** What a person (or a test) sets for Flux itself, not for its agents. */
export const OVERRIDE_ENV = {
  /** The `flux` entry agents are given (`dist/bin/main.js`), instead of the one found beside this code. */
  main: 'FLUX_MAIN',
  /** The tmux socket (`tmux -L`), over `tmux.socket` of .work/config.toml. */
  tmuxSocket: 'FLUX_TMUX_SOCKET',
  /** `off`: Flux never starts a supervisor in the background (scripts that drive every step). */
  supervisor: 'FLUX_SUPERVISOR',
} as const;

/** What Flux sets for the acceptance commands it runs (src/effects/acceptance.ts). */
export const ACCEPTANCE_ENV = {
  /** A fresh random value per command, which its descendants carry: what it leaves behind is found by it. */
  run: 'FLUX_ACCEPTANCE_RUN',
  /** Set, to the merge commit, for the merge queue's checks in the integration worktree (docs/merge-queue.md). */
  mergeCheck: 'FLUX_MERGE_CHECK',
} as const;

/** Agents that report their turns through Flux's hooks; a command agent reports only its exit. */
export function reportsThroughHooks(agent: string): boolean {
  return agent === 'claude' || agent === 'sim';
}

/**
 * Agents that take a session id of Flux's choosing, which their hook calls
 * then carry as `session_id`: Flux records it on `session.started`, and the
 * hooks ignore calls that carry another (docs/hooks.md). Those are the
 * agents that call the hooks; a command agent takes none.
 */
export function takesAgentSessionId(agent: string): boolean {
  return reportsThroughHooks(agent);
}

/**
 * Hook names accepted by `flux hook <name>`: Claude Code's hook event names,
 * plus `StatusLine` for the status-line command. The stdin JSON of each is
 * exactly what Claude Code sends (docs/claude-code.md).
 */
export const HOOK_NAMES = [
  'SessionStart',
  'UserPromptSubmit',
  'Stop',
  'PermissionRequest',
  'PostToolUse',
  'Notification',
  'PreCompact',
  'SessionEnd',
  'StopFailure',
  'StatusLine',
] as const;

export type HookName = (typeof HOOK_NAMES)[number];

/**
 * Flux's own call from the shell that wraps every agent in its pane, when the
 * agent process exits: `hook.js AgentExit <exit status>`. Not a Claude Code hook.
 */
export const AGENT_EXIT = 'AgentExit';

/** Where a stage's handoff documents live, relative to `.work/`. */
export function handoffPath(stage: string, n: number): string {
  return `handoffs/${stage}-handoff-${String(n).padStart(3, '0')}.md`;
}
