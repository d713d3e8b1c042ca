/**
 * What an ad hoc task's agent is told (pure): the meta prompt its sessions
 * start with, and the rules appended to its system prompt. The plan's
 * stages get theirs from `signal.ts`, whose continuation (a handoff, or the
 * commits already on the branch) this reuses.
 */
import { handoffPath } from '../agents/protocol.js';
import { bullets, continuation } from './signal.js';
import type { TaskState } from './task.js';

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
