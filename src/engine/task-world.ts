/**
 * Ad hoc tasks and the world: what tmux and git say about a task, the
 * workspace a first `flux task run` creates, and the git steps of running
 * and cleaning up a task (with their rollback). The decisions are in
 * `task.ts`; the commands in `src/cli/commands/task-*.ts`.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { runTool } from '../effects/exec.js';
import { isPaneId, type TmuxPaneInfo, type TmuxSessionInfo } from '../effects/tmux.js';
import { ExternalError } from '../errors.js';
import { defaultConfigToml } from './config.js';
import type { Runtime } from './runtime.js';
import type { FluxState } from './state.js';
import { taskSession, type TaskFacts, type TaskState } from './task.js';
import { workspaceAt, type Workspace } from './workspace.js';
import { createWorkspace } from './workspace-create.js';

const GIT_MISSING_HINT = 'install git 2.38 or newer (apt-get install git, or brew install git)';

// ---- the workspace ------------------------------------------------------------

/**
 * `.work/` for a repository that has none: the layout and config.toml of
 * `flux init`, and an empty log, without a plan. Built beside and renamed
 * into place, so a failure leaves nothing; `created` says whether this call made it.
 */
export function ensureTaskWorkspace(
  root: string,
  baseBranch: string | null,
): { ws: Workspace; created: boolean } {
  const ws = workspaceAt(root);
  if (existsSync(ws.logPath)) return { ws, created: false };
  try {
    createWorkspace(root, defaultConfigToml('', baseBranch), (staged) => writeFileSync(staged.logPath, ''));
  } catch (error) {
    // Another `flux task run` made it first: use theirs.
    if (existsSync(ws.logPath)) return { ws, created: false };
    throw error;
  }
  return { ws, created: true };
}

// ---- tmux -----------------------------------------------------------------------

export interface TmuxView {
  sessions: TmuxSessionInfo[];
  panes: TmuxPaneInfo[];
}

/** One look at the tmux server (nothing when it is not running). */
export async function lookAtTmux(runtime: Runtime): Promise<TmuxView> {
  const [sessions, panes] = await Promise.all([
    runtime.tmux.listSessions().catch(() => []),
    runtime.tmux.listPanes().catch(() => []),
  ]);
  return { sessions, panes };
}

/**
 * The pane a task's session runs in, when it is still that session's: pane
 * ids start again at %0 when the tmux server restarts, so the pane's label
 * (the session id Flux gave it) must match.
 */
export function taskPane(view: TmuxView, target: string, session: string): TmuxPaneInfo | undefined {
  return view.panes.find((pane) => pane.id === target && pane.label === session);
}

/** Whether the task's current session runs in tmux: its pane, or its session with a live pane. */
export function taskRunning(view: TmuxView, state: FluxState, task: TaskState): boolean {
  const session = taskSession(state, task);
  if (session === null || session.tmux === '') return false;
  if (isPaneId(session.tmux)) {
    const pane = taskPane(view, session.tmux, session.id);
    return pane !== undefined && !pane.dead;
  }
  const tmux = view.sessions.find((s) => s.name === session.tmux);
  return tmux !== undefined && !tmux.paneDead;
}

/** Where the task's agent can be seen: its pane (if still its own) or its session; null when neither exists. */
export function taskTarget(view: TmuxView, state: FluxState, task: TaskState): string | null {
  const session = taskSession(state, task);
  if (session === null || session.tmux === '') return null;
  if (isPaneId(session.tmux))
    return taskPane(view, session.tmux, session.id) === undefined ? null : session.tmux;
  return view.sessions.some((s) => s.name === session.tmux) ? session.tmux : null;
}

/**
 * Ends every pane and session the task's sessions ran in (a pane only while
 * it is still the task's). Returns what was closed, for the report.
 */
export async function closeTaskTmux(runtime: Runtime, state: FluxState, task: TaskState): Promise<string[]> {
  const view = await lookAtTmux(runtime);
  const closed: string[] = [];
  const targets = new Map<string, string>();
  for (const id of task.sessions) {
    const session = state.sessions[id];
    if (session !== undefined && session.tmux !== '') targets.set(session.tmux, session.id);
  }
  targets.set(task.task.tmuxSession, '');
  for (const [target, session] of targets) {
    if (isPaneId(target)) {
      if (taskPane(view, target, session) === undefined) continue;
      if (await runtime.tmux.killPane(target)) closed.push(`tmux pane ${target}`);
    } else if (view.sessions.some((s) => s.name === target)) {
      if (await runtime.tmux.killSession(target).catch(() => false)) closed.push(`tmux session ${target}`);
    }
  }
  return closed;
}

// ---- git --------------------------------------------------------------------------

async function git(args: readonly string[], cwd: string): Promise<string> {
  const result = await runTool('git', args, {
    cwd,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true' },
    missingHint: GIT_MISSING_HINT,
  });
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
    throw new ExternalError(`git ${args.join(' ')} failed in ${cwd}: ${detail}`);
  }
  return result.stdout;
}

/** `git add -A` and a commit of everything uncommitted in the worktree; returns the commit. */
export async function commitEverything(worktree: string, message: string): Promise<string> {
  await git(['add', '-A'], worktree);
  await git(['commit', '--quiet', '-m', message], worktree);
  return git(['rev-parse', 'HEAD'], worktree);
}

/** Stashes everything uncommitted (untracked files too); returns the stash commit (stashes outlive worktrees). */
export async function stashEverything(worktree: string, message: string): Promise<string> {
  await git(['stash', 'push', '--quiet', '--include-untracked', '-m', message], worktree);
  return git(['rev-parse', 'stash@{0}'], worktree);
}

async function pathExists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Undoes what `flux task run` made before it failed: the worktree (when this
 * run created the directory) and the branch (when this run created it and it
 * holds nothing but its base). Best effort: it never hides the first failure.
 */
export async function rollbackWorktree(
  runtime: Runtime,
  made: { worktree: string; branch: string; base: string; path: boolean; branchMade: boolean },
): Promise<string[]> {
  const undone: string[] = [];
  const root = runtime.root;
  if (made.path && (await pathExists(made.worktree))) {
    const removed = await runTool('git', ['worktree', 'remove', '--force', made.worktree], {
      cwd: root,
      missingHint: GIT_MISSING_HINT,
    });
    if (removed.exitCode !== 0) rmSync(made.worktree, { recursive: true, force: true });
    await runTool('git', ['worktree', 'prune'], { cwd: root, missingHint: GIT_MISSING_HINT });
    undone.push(`removed ${made.worktree}`);
  }
  if (made.branchMade && (await runtime.git.branchExists(made.branch).catch(() => false))) {
    const ahead = await runtime.git.commitsAhead(made.branch, made.base).catch(() => ['?']);
    if (ahead.length === 0) {
      const deleted = await runTool('git', ['branch', '-D', made.branch], {
        cwd: root,
        missingHint: GIT_MISSING_HINT,
      });
      if (deleted.exitCode === 0) undone.push(`deleted branch ${made.branch}`);
    }
  }
  return undone;
}

/** Uncommitted files, commits ahead of the base: what `flux task status` and `cleanup` look at. */
export async function gatherTaskFacts(
  runtime: Runtime,
  state: FluxState,
  task: TaskState,
  view: TmuxView,
): Promise<TaskFacts & { behind: number | null; branchExists: boolean }> {
  const worktreeExists = existsSync(task.task.worktree);
  const dirty = worktreeExists
    ? (await runtime.git.status(task.task.worktree).catch(() => [])).map((file) => file.path)
    : [];
  const branchExists = await runtime.git.branchExists(task.task.branch).catch(() => false);
  let ahead: number | null = null;
  let behind: number | null = null;
  if (branchExists) {
    const counts = await runtime.git.aheadBehind(task.task.branch, task.task.base).catch(() => null);
    if (counts !== null) ({ ahead, behind } = counts);
  }
  return { running: taskRunning(view, state, task), worktreeExists, dirty, ahead, behind, branchExists };
}
