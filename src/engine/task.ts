/**
 * Ad hoc tasks (pure): `flux task run "<description>"` without a plan. A
 * task is a stage outside the plan, with a worktree, a branch and a tmux
 * placement of its own (`task.created`), driven through the same stage and
 * session lifecycles as the plan's stages. This file decides; the commands in
 * `src/cli/commands/task-*.ts` gather what git and tmux say and act.
 */
import { handoffPath } from '../agents/protocol.js';
import { ConfigError, RefusedError, UsageError } from '../errors.js';
import { STAGE_ID_MAX_LENGTH, STAGE_ID_PATTERN } from '../ids.js';
import type { NewEvent } from '../log/events.js';
import type { StageDef } from '../plan/types.js';
import { closest } from '../plan/suggest.js';
import { settle, type Decision } from './decide.js';
import { bullets, continuation } from './signal.js';
import {
  isTask,
  tasksOf,
  type FluxState,
  type SessionState,
  type StageState,
  type TaskInfo,
} from './state.js';

export type TaskState = StageState & { kind: 'task'; task: TaskInfo };

// ---- ids ---------------------------------------------------------------------

/** Words that say little about a task: left out of its id. */
const FILLER = new Set(
  (
    'a an the to for of and or in on at by with into from onto this that these those my our your its ' +
    'please add adds adding implement implementing create make build write new support some more'
  ).split(' '),
);

/** The longest slug; longer descriptions keep their first words. */
export const SLUG_MAX = 16;

/**
 * A short slug of a task's description: its first telling words, lower case,
 * joined by `-`, at most SLUG_MAX characters ("Add OAuth authentication" →
 * "oauth"); "task" when nothing is left.
 */
export function taskSlug(description: string): string {
  const words = description
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  const telling = words.filter((word) => !FILLER.has(word));
  const pool = telling.length > 0 ? telling : words;
  let slug = '';
  for (const word of pool) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > SLUG_MAX) break;
    slug = next;
  }
  if (slug === '' && pool.length > 0) slug = pool[0]!.slice(0, SLUG_MAX);
  return slug === '' ? 'task' : slug;
}

/** `<slug>-<6 hex digits>`, e.g. `oauth-a1b2c3`; `hex` is the random part. */
export function taskId(description: string, hex: string): string {
  return `${taskSlug(description)}-${hex}`;
}

/** Throws unless `id` can name a task (it ends up in branch names, paths and tmux names). */
export function checkTaskId(id: string): void {
  if (id.length > STAGE_ID_MAX_LENGTH || !STAGE_ID_PATTERN.test(id) || id.includes('..')) {
    throw new UsageError(
      `'${id}' cannot be a task id`,
      `use lower-case letters, digits, '-', '_' and '.', at most ${STAGE_ID_MAX_LENGTH} characters`,
    );
  }
}

// ---- names from the [task] settings ------------------------------------------

/** `{project}` and `{id}` replaced; any other `{…}` is a mistake in the settings. */
export function expandTemplate(
  template: string,
  values: { project: string; id: string },
  setting: string,
): string {
  const unknown = /\{(?!project\}|id\})[^}]*\}/.exec(template);
  if (unknown !== null) {
    throw new ConfigError(
      `task.${setting} in .work/config.toml: unknown placeholder ${unknown[0]}`,
      'the placeholders are {project} (the repository folder name) and {id} (the task id)',
    );
  }
  return template.replaceAll('{project}', values.project).replaceAll('{id}', values.id);
}

/** A tmux session name from any text: characters tmux would rewrite or misread become `-`. */
export function tmuxSessionName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z0-9_]/.test(name) ? name : `_${name}`;
}

/** The task as a stage: no dependencies, no file globs, reviewed by a person. */
export function taskDef(id: string, description: string, acceptance: readonly string[]): StageDef {
  const line = description.trim().split('\n')[0]!.trim();
  return {
    id,
    name: line.length > 72 ? `${line.slice(0, 71)}…` : line,
    description: description.trim(),
    dependencies: [],
    acceptance: [...acceptance],
    files: [],
    gate: 'human',
  };
}

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

/** The task's current session, if it has one. */
export function taskSession(state: FluxState, task: StageState): SessionState | null {
  return task.session === null ? null : (state.sessions[task.session] ?? null);
}

export function sessionAliveInLog(session: SessionState | null): boolean {
  return session !== null && session.status !== 'ended' && session.status !== 'crashed';
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
    const live = sessionAliveInLog(taskSession(state, existing));
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
    { type: 'session.started', session, stage: id, agent: input.agent, tmux: input.tmuxTarget },
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
  const last = taskSession(state, task);
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
 * agent declared it done) and verified by the person cleaning it up. Nothing
 * for a task that is verified already (a merge that stopped earlier).
 */
export function decideTaskClose(state: FluxState, id: string): Decision {
  const task = requireTask(state, id);
  const events: NewEvent[] = [];
  switch (task.status) {
    case 'verified':
    case 'merged':
      break;
    case 'completed':
      events.push({ type: 'stage.verified', stage: id, by: 'human' });
      break;
    default:
      events.push({ type: 'stage.completed', stage: id, forced: true });
      events.push({ type: 'stage.verified', stage: id, by: 'human' });
  }
  return settle(state, events);
}

// ---- what the agent is told --------------------------------------------------------

export interface TaskPromptInput {
  task: TaskState;
  session: string;
  worktree: string;
  /** The handoff this session continues from: its path (relative to `.work/`) and text. */
  handoff: { path: string; text: string } | null;
  /** Commits already on the branch (a resumed task without a handoff). */
  branchCommits: string[];
}

/** The meta prompt: the task, where it works, the quality gates, how to finish and hand off. */
export function renderTaskPrompt(input: TaskPromptInput): string {
  const { task } = input;
  const { branch, base } = task.task;
  const acceptance = task.def.acceptance;
  const sections: string[] = [
    `# Flux task ${task.id}`,
    '',
    `You are session ${input.session}, working on one ad hoc task in your own git worktree, ` +
      `${input.worktree}, on branch ${branch} (forked from ${base}). Other work goes on in the main ` +
      'checkout and in other worktrees at the same time: stay inside yours.',
    '',
    '## Your task',
    '',
    task.def.description === '' ? task.def.name : task.def.description,
    '',
    '## Quality gates',
    '',
    bullets([
      "The project's tests and linters pass before you call the task done: find how this project runs them (README, package.json, Makefile, …) and run them.",
      'Small, focused commits with clear messages; commit as you go.',
      'Nothing outside the task: no unrelated refactoring, reformatting or drive-by fixes.',
      `Do not merge, rebase onto or push other branches: a person merges ${branch} when the task is done.`,
    ]),
  ];
  if (acceptance.length > 0) {
    sections.push('', 'These commands must also pass in your worktree:', '', bullets(acceptance, true));
  }
  sections.push(...continuation(input));
  sections.push(
    '',
    '## How to finish',
    '',
    '1. Commit your work on your branch (`git add`, `git commit`): only commits are merged.',
    `2. Run \`flux done\`. It ${acceptance.length === 0 ? 'records the task as done' : 'runs the commands above; if any fail, fix them and run it again'}.`,
    `3. Then stop, and say in a few lines what you did. The person reviews it and merges it with \`flux task cleanup ${task.id}\`.`,
    '',
    '## If Flux asks you to hand off',
    '',
    `Write .work/${handoffPath(task.id, task.handoffs.length + 1)} with: a summary, what is done, what remains (with file:line references), and the decisions you made. Then run \`flux handoff\` and stop.`,
  );
  return sections.join('\n') + '\n';
}

/** Appended to a task agent's system prompt. */
export function taskRules(id: string): string {
  return [
    `You are a Flux task agent working on the ad hoc task ${id}, in a git worktree of its own.`,
    'Only change files in this worktree, and stay within the task.',
    'Commit your work as you go (small, focused commits); tests and linters must pass.',
    'When the task is done, run `flux done`, then stop.',
    'When Flux asks you for a handoff, write the handoff document it names and run `flux handoff`, then stop.',
    'Do not merge, rebase onto or push other branches: a person merges the task.',
  ].join(' ');
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
  const session = taskSession(state, task);
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
      if (facts.running && sessionAliveInLog(session)) {
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
