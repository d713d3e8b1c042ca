/**
 * Ad hoc tasks (pure): `flux task run "<description>"` without a plan. A
 * task is a stage outside the plan, with a worktree, a branch and a tmux
 * placement of its own (`task.created`), driven through the same stage and
 * session lifecycles as the plan's stages. This file decides; what the agent
 * is told is in `task-prompt.ts`, its names in `task-names.ts`; what git and
 * tmux say about a task comes through `runtime/tasks.ts`.
 */
import { randomUUID } from 'node:crypto';
import { takesAgentSessionId } from '../agents/protocol.js';
import { RefusedError, UsageError } from '../errors.js';
import type { NewEvent } from '../log/events.js';
import { closest } from '../plan/suggest.js';
import type { StageDef } from '../plan/types.js';
import { settle, type Decision } from './decide.js';
import {
  currentSession,
  isTask,
  sessionAlive,
  tasksOf,
  type FluxState,
  type StageState,
  type TaskInfo,
} from './state.js';

export type TaskState = StageState & { kind: 'task'; task: TaskInfo };

// ---- finding tasks -------------------------------------------------------------

export function requireTask(state: FluxState, id: string): TaskState {
  const stage = state.stages[id];
  if (isTask(stage)) return stage;
  if (stage !== undefined) {
    throw new UsageError(
      `'${id}' is a stage of the plan, not an ad hoc task`,
      `\`flux status\` shows it; \`flux attach ${id}\` watches its session`,
    );
  }
  const ids = tasksOf(state).map((task) => task.id);
  const guess = closest(id, ids);
  throw new UsageError(
    `no task '${id}'`,
    guess !== undefined
      ? `did you mean '${guess}'?`
      : ids.length === 0
        ? 'there are no tasks yet: `flux task run "<description>"` starts one'
        : '`flux task list` lists them',
  );
}

// ---- flux task run ---------------------------------------------------------------

export interface TaskRunInput {
  def: StageDef;
  worktree: string;
  branch: string;
  base: string;
  placement: 'pane' | 'session';
  /** The detached session's name (always decided, also for a pane). */
  tmuxSession: string;
  /** The pane id (`%7`) for a pane, else the session name. */
  tmuxTarget: string;
  agent: string;
}

/** The events that create a task and start its first session: the same stage and session lifecycles as a plan's stage. */
export function decideTaskRun(state: FluxState, input: TaskRunInput): Decision {
  const id = input.def.id;
  const existing = state.stages[id];
  if (existing !== undefined) {
    const live = sessionAlive(currentSession(state, existing));
    throw new RefusedError(
      isTask(existing)
        ? `task '${id}' already exists (${existing.status}${live ? ', its session is alive' : ''})`
        : `'${id}' is a stage of the plan`,
      isTask(existing)
        ? `\`flux attach ${id}\` watches it; \`flux task cleanup ${id}\` merges and removes it`
        : 'choose another task id',
    );
  }
  const session = `${id}.s1`;
  const events: NewEvent[] = [
    {
      type: 'task.created',
      task: input.def,
      worktree: input.worktree,
      branch: input.branch,
      base: input.base,
      placement: input.placement,
      tmux_session: input.tmuxSession,
    },
    { type: 'stage.ready', stage: id },
    { type: 'stage.started', stage: id, session },
    {
      type: 'session.started',
      session,
      stage: id,
      agent: input.agent,
      tmux: input.tmuxTarget,
      ...(takesAgentSessionId(input.agent) ? { agent_session_id: randomUUID() } : {}),
    },
  ];
  return settle(state, events);
}

/**
 * Where a task's next session runs: a handoff continues in the same pane
 * (the pane is respawned, so it keeps its id); anything else (a resume after
 * a crash or a failure, when the pane may be gone) runs in the task's
 * detached session.
 */
export function nextTaskTarget(state: FluxState, task: TaskState): string {
  const last = currentSession(state, task);
  if (task.task.placement === 'pane' && task.status === 'needs_handoff' && last !== null && last.tmux !== '')
    return last.tmux;
  return task.task.tmuxSession;
}

/** The agent a task's next session gets: the one it was started with. */
export function taskAgent(state: FluxState, task: StageState, fallback: string): string {
  const first = task.sessions[0];
  return (first === undefined ? undefined : state.sessions[first]?.agent) ?? fallback;
}

// ---- flux task cleanup -----------------------------------------------------------

/**
 * The events that close a task for merging: completed (forced, unless the
 * agent declared it done) and verified by the person cleaning it up (`by`,
 * from the human-only check). Nothing for a task that is verified already
 * (a merge that stopped earlier).
 */
export function decideTaskClose(state: FluxState, id: string, by: 'human'): Decision {
  const task = requireTask(state, id);
  const events: NewEvent[] = [];
  switch (task.status) {
    case 'verified':
    case 'merged':
      break;
    case 'completed':
      events.push({ type: 'stage.verified', stage: id, by });
      break;
    default:
      events.push({ type: 'stage.completed', stage: id, forced: true, by });
      events.push({ type: 'stage.verified', stage: id, by });
  }
  return settle(state, events);
}

// ---- what a person sees ----------------------------------------------------------

export interface TaskFacts {
  /** Whether its agent's pane or session is alive in tmux. */
  running: boolean;
  worktreeExists: boolean;
  /** Uncommitted files in its worktree. */
  dirty: string[];
  /** Commits on its branch that its base lacks; null when unknown (no branch). */
  ahead: number | null;
}

/** What a person can do about a task now, most useful first. */
export function taskNextSteps(state: FluxState, task: TaskState, facts: TaskFacts): string[] {
  const id = task.id;
  const session = currentSession(state, task);
  const steps: string[] = [];
  const cleanup = `flux task cleanup ${id}`;
  const dirtyNote =
    facts.dirty.length > 0
      ? ` (it has ${facts.dirty.length} uncommitted file(s): add --commit to commit them, --stash to stash them)`
      : '';
  switch (task.status) {
    case 'merged':
      return [
        `nothing: it is merged${task.mergedCommit === null ? '' : ` (${task.mergedCommit.slice(0, 12)})`}`,
      ];
    case 'verified':
      if (task.reason !== null) {
        steps.push(
          `its merge did not happen (${task.reason}): resolve it in ${task.task.worktree} ` +
            `(\`git merge <your branch>\`, fix, commit), then \`${cleanup}\` again`,
        );
      } else steps.push(`\`${cleanup}\` merges it`);
      break;
    case 'completed':
      steps.push(
        `the agent declared it done: review it (\`git log ${task.task.base}..${task.task.branch}\`)`,
      );
      steps.push(`\`${cleanup}\` merges it into your current branch and removes its worktree${dirtyNote}`);
      break;
    case 'needs_handoff':
      steps.push(`its agent handed off: \`flux resume ${id}\` continues in a fresh session from the handoff`);
      steps.push(`or \`${cleanup}\` merges what it committed so far${dirtyNote}`);
      break;
    default:
      if (session !== undefined && session !== null && session.waiting !== null)
        steps.push(
          `its agent waits for a permission answer: \`flux approve ${id}\` or \`flux deny ${id} --reason …\``,
        );
      if (facts.running && sessionAlive(session)) {
        steps.push(`watch it: \`flux attach ${id}\``);
        steps.push(`when it is done: \`${cleanup}\`${dirtyNote}`);
      } else {
        steps.push(`its agent is not running: \`flux resume ${id}\` starts a fresh session on its branch`);
        steps.push(
          facts.ahead === 0 && facts.dirty.length === 0
            ? `or \`${cleanup}\` removes it (nothing was committed)`
            : `or \`${cleanup}\` merges what it committed${dirtyNote}`,
        );
      }
  }
  if (!facts.worktreeExists && task.status !== 'verified')
    steps.push(`its worktree ${task.task.worktree} is gone; \`${cleanup}\` merges what its branch holds`);
  return steps;
}
