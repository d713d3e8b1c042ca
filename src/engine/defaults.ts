/**
 * The `[run]` settings' defaults, in one place: the config schema and the
 * config.toml `flux init` writes use them, and so do the hooks, which read
 * their settings from the session's environment (never the config file) and
 * fall back to these. Zod-free, for the hook bundle.
 */
export const RUN_DEFAULTS = {
  max_parallel: 4,
  /** Context usage (percent) at which a session is asked for a handoff. */
  handoff_threshold: 75,
  /** Seconds each acceptance command may run. */
  acceptance_timeout: 600,
  /** Seconds each worktree setup command may run. */
  setup_timeout: 600,
  /** How often a session that stops without `flux done` or `flux handoff` is reminded. */
  stop_reminders: 3,
  /** Seconds a permission question waits for `flux approve` / `flux deny`. */
  permission_wait: 600,
} as const;

/** The `[merge]` settings' defaults (docs/merge-queue.md). */
export const MERGE_DEFAULTS = {
  /** `agent`: a conflict starts a resolver session of the stage; `manual`: it waits for a person. */
  resolve: 'agent',
  /** How many times the queue sends a stage back to its agent before it waits for a person. */
  resolve_attempts: 2,
} as const;
