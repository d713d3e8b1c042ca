/**
 * An ad hoc task of the state, as tmux and git see it: the task commands and
 * the cleanup after a merge ask here, and this hands the task's sessions and
 * worktree to the effects (`src/effects/task-tmux.ts`, `task-git.ts`).
 */
import * as taskGit from '../../effects/task-git.js';
import * as taskTmux from '../../effects/task-tmux.js';
import type { Runtime } from '../runtime.js';
import { currentSession, type FluxState } from '../state.js';
import type { TaskFacts, TaskState } from '../task.js';

export type { TmuxView } from '../../effects/task-tmux.js';
export { commitEverything, stashEverything, type MadeWorktree } from '../../effects/task-git.js';

/** One look at the tmux server (nothing when it is not running). */
export function lookAtTmux(runtime: Runtime): Promise<taskTmux.TmuxView> {
  return taskTmux.lookAtTmux(runtime.tmux);
}

/** Whether the task's current session runs in tmux: its pane, or its session with a live pane. */
export function taskRunning(view: taskTmux.TmuxView, state: FluxState, task: TaskState): boolean {
  return taskTmux.taskRunning(view, currentSession(state, task));
}

/** Where the task's agent can be seen: its pane (if still its own) or its session; null when neither exists. */
export function taskTarget(view: taskTmux.TmuxView, state: FluxState, task: TaskState): string | null {
  return taskTmux.taskTarget(view, currentSession(state, task));
}

/**
 * Ends every pane and session the task's sessions ran in, and its detached
 * session. Returns what was closed, for the report.
 */
export function closeTaskTmux(runtime: Runtime, state: FluxState, task: TaskState): Promise<string[]> {
  const sessions = task.sessions.flatMap((id) => {
    const session = state.sessions[id];
    return session === undefined ? [] : [{ id: session.id, tmux: session.tmux }];
  });
  return taskTmux.closeTaskTmux(runtime.tmux, [...sessions, { id: '', tmux: task.task.tmuxSession }]);
}

/** Uncommitted files, commits ahead of the base, whether its agent runs: what `flux task status` shows. */
export async function gatherTaskFacts(
  runtime: Runtime,
  state: FluxState,
  task: TaskState,
  view: taskTmux.TmuxView,
): Promise<TaskFacts & taskGit.WorktreeFacts> {
  const facts = await taskGit.worktreeFacts(runtime.git, task.task);
  return { running: taskRunning(view, state, task), ...facts };
}

/** Undoes what a failed `flux task run` made (see `src/effects/task-git.ts`). */
export function rollbackWorktree(runtime: Runtime, made: taskGit.MadeWorktree): Promise<string[]> {
  return taskGit.rollbackWorktree(runtime.git, runtime.root, made);
}
