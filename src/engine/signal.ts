/**
 * The signal: what a session is told when it starts (its first prompt), and
 * the rules every stage agent gets in its system prompt. Pure: the caller
 * gathers what the dependencies did and any handoff text.
 */
import { handoffPath } from '../agents/protocol.js';
import type { FluxState, StageState } from './state.js';

export interface DependencyNote {
  id: string;
  name: string;
  /** Subjects of the commits the dependency merged, newest first. */
  commits: string[];
}

export interface SignalInput {
  state: FluxState;
  stage: StageState;
  session: string;
  worktree: string;
  branch: string;
  dependencies: DependencyNote[];
  /** The handoff this session continues from: its path (relative to `.work/`) and text. */
  handoff: { path: string; text: string } | null;
  /** Commits already on the branch (a resumed stage without a handoff). */
  branchCommits: string[];
  /** The reviewer's reason, when this session follows a rejection. */
  feedback: string | null;
}

/** The next handoff document for a stage: one more than it has written so far. */
export function nextHandoffPath(stage: StageState): string {
  return handoffPath(stage.id, stage.handoffs.length + 1);
}

/** Where a fresh session picks up: the handoff it continues from, or the commits already on its branch. */
export function continuation(input: {
  handoff: { path: string; text: string } | null;
  branchCommits: string[];
}): string[] {
  if (input.handoff !== null) {
    return [
      '',
      `## Continue from the handoff (.work/${input.handoff.path})`,
      '',
      'A previous session wrote this before its context ran out. Continue where it stopped.',
      '',
      input.handoff.text.trim(),
    ];
  }
  if (input.branchCommits.length > 0) {
    return [
      '',
      '## Work already on your branch',
      '',
      'A previous session made these commits; read them before you continue:',
      '',
      bullets(input.branchCommits.slice(0, 30)),
    ];
  }
  return [];
}

export function bullets(items: readonly string[], code = false): string {
  return items.map((item) => `- ${code ? `\`${item}\`` : item}`).join('\n');
}

export function renderSignal(input: SignalInput): string {
  const { state, stage } = input;
  const def = stage.def;
  const sections: string[] = [
    `# Flux stage ${def.id}: ${def.name}`,
    '',
    `You are session ${input.session}, working on one stage of the plan "${state.plan?.title ?? ''}" ` +
      `(${state.plan?.path ?? ''}). You work in your own git worktree, ${input.worktree}, on branch ` +
      `${input.branch}. Other stages run in parallel in other worktrees; stay inside yours.`,
    '',
    '## Your task',
    '',
    def.description === '' ? def.name : def.description,
  ];
  if (def.files.length > 0) {
    sections.push(
      '',
      '## Files this stage changes',
      '',
      bullets(def.files, true),
      '',
      'Changes outside these are flagged when your work is reviewed.',
    );
  }
  sections.push(
    '',
    '## Acceptance',
    '',
    def.acceptance.length === 0
      ? 'No commands: a person reviews the work.'
      : `All of these must pass in your worktree:\n\n${bullets(def.acceptance, true)}`,
  );
  if (input.dependencies.length > 0) {
    sections.push('', '## What your dependencies did (already merged into your branch)');
    for (const dep of input.dependencies) {
      sections.push(
        '',
        `### ${dep.id}: ${dep.name}`,
        '',
        dep.commits.length === 0 ? '(no commits)' : bullets(dep.commits.slice(0, 20)),
      );
    }
  }
  if (input.feedback !== null) {
    sections.push(
      '',
      '## Your previous attempt was rejected',
      '',
      `The reviewer said: ${input.feedback}`,
      '',
      'Address this, commit, and run `flux done` again.',
    );
  }
  sections.push(...continuation(input));
  sections.push(
    '',
    '## How to finish',
    '',
    '1. Commit your work on your branch (`git add`, `git commit`): only commits are merged.',
    '2. Run `flux done`. It runs the acceptance commands; if any fail, fix them and run it again.',
    '3. When `flux done` passes, stop: a person reviews and merges the stage.',
    '',
    '## If Flux asks you to hand off',
    '',
    `Write ${`.work/${nextHandoffPath(stage)}`} with: a summary, what is done, what remains (with file:line references), and the decisions you made. Then run \`flux handoff\` and stop.`,
  );
  return sections.join('\n') + '\n';
}

/** Appended to every stage agent's system prompt. */
export function agentRules(stageId: string): string {
  return [
    `You are a Flux stage agent working on stage ${stageId}, in a git worktree of its own.`,
    'Only change files in this worktree, and commit your work as you go (small, focused commits).',
    'Declare the stage done with `flux done` (it runs the acceptance commands); fix failures and run it again.',
    'When Flux asks you for a handoff, write the handoff document it names and run `flux handoff`, then stop.',
    'Do not merge, rebase onto or push other branches: Flux merges stages after review.',
  ].join(' ');
}

/** The system prompt's rules for a session the merge queue started: it merges the base into its branch. */
export function resolverRules(stageId: string, base: string): string {
  return [
    `You are a Flux stage agent working on stage ${stageId}, in a git worktree of its own.`,
    `The stage could not be merged into ${base}: merge ${base} into this branch, resolve or fix what the first prompt says, keeping both sides' work, and commit.`,
    'Only change files in this worktree. Declare it done with `flux done` (it runs the acceptance commands); fix failures and run it again.',
    'Do not rebase, push, or merge anything but the base branch: Flux merges the stage.',
  ].join(' ');
}
