/**
 * Where Flux keeps things in a repository: one home for the names every
 * layer uses (the log's own files are in src/log/paths.ts).
 */

/** The main worktree's Flux directory; every stage worktree links to it. */
export const WORK_DIR_NAME = '.work';
/** Gitignore-style patterns of ignored files each new worktree gets a copy of, at the repository root (Claude Code's convention). */
export const WORKTREE_INCLUDE_FILE = '.worktreeinclude';
/** Where stage worktrees live, under the main worktree. */
export const WORKTREES_DIR_NAME = '.worktrees';
/** Flux's own worktree for building merges, under `.work/` (see docs/merge.md). */
export const INTEGRATION_DIR_NAME = 'integration';
/** A stage's branch: `flux/<id>` (ad hoc tasks record their own). */
export const STAGE_BRANCH_PREFIX = 'flux/';
/** The workspace's settings file, under `.work/`. */
export const CONFIG_FILE_NAME = 'config.toml';
/** Scripts for the simulated agent, one per stage (`.work/sim/<stage>.json`), when a stage has its own. */
export const SIM_SCRIPTS_DIR_NAME = 'sim';
/** Where a merge under way keeps the commit it is landing, so a crash can be undone or finished. */
export const MERGING_REF_PREFIX = 'refs/flux/merging/';
/** `flux plan new --tmux` runs claude in the tmux session `<prefix><slug>` (not a stage's: `flux doctor` leaves it be). */
export const PLAN_SESSION_PREFIX = 'flux-plan-';
/** Where `flux plan new` asks for the plan: `doc/plans/PLAN-<slug>.md`. */
export const PLANS_DIR = 'doc/plans';
