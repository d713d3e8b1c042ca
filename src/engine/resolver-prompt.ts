/**
 * The first prompt of a session the merge queue starts (docs/merge-queue.md):
 * the stage did not land — its branch conflicts with the base, or the merged
 * tree fails the checks — and this session makes it land. Pure: the runtime
 * gathers what the other side did.
 */
import type { AcceptanceResult } from '../log/events.js';
import { bullets, continuation } from './signal.js';
import type { Resolution, StageState } from './state.js';

/** A stage merged into the base since this branch forked: the other side of the conflict. */
export interface OtherSide {
  id: string;
  name: string;
  description: string;
  /** Subjects of its commits, newest first. */
  commits: string[];
}

export interface ResolverInput {
  stage: StageState;
  resolution: Resolution;
  session: string;
  worktree: string;
  branch: string;
  base: string;
  /** The plan-level checks and the stage's own, as the queue runs them on the merged tree. */
  checks: string[];
  others: OtherSide[];
  maxAttempts: number;
  /** The handoff this session continues from (a resolver that handed off). */
  handoff: { path: string; text: string } | null;
}

/** How much of each failing check's output the prompt carries. */
const OUTPUT_LINES = 40;

function failedOutput(results: readonly AcceptanceResult[]): string[] {
  const lines: string[] = [];
  for (const result of results.filter((r) => r.timed_out || r.exit_code !== 0)) {
    const how = result.timed_out ? 'timed out' : `exited ${result.exit_code ?? 'by a signal'}`;
    const tail = result.output_tail.trimEnd().split('\n').slice(-OUTPUT_LINES).join('\n');
    lines.push('', `### \`${result.command}\` (${how})`, '', '```', tail, '```');
  }
  return lines;
}

export function renderResolverSignal(input: ResolverInput): string {
  const { stage, resolution, base, branch } = input;
  const def = stage.def;
  const conflict = resolution.cause === 'conflict';
  const sections: string[] = [
    `# Flux stage ${def.id}: ${def.name} — ${conflict ? 'resolve the conflict with' : 'make the checks pass on'} ${base}`,
    '',
    `You are session ${input.session} of stage ${def.id}, in its worktree ${input.worktree} on branch ${branch}. ` +
      (resolution.predicted === true
        ? `The stage's work is done, but \`git merge-tree\` foresees that merging ${branch} into ${base} conflicts: resolve it before the work is reviewed.`
        : `The stage's work is done and approved, but it could not be merged into ${base}: ` +
          (conflict
            ? `merging ${branch} into ${base} conflicts.`
            : `the merged tree fails the checks Flux runs before ${base} moves.`) +
          ` ${base} did not move.`) +
      ` This is attempt ${resolution.attempts} of ${input.maxAttempts}.`,
    '',
    '## What this stage does (your side)',
    '',
    def.description === '' ? def.name : def.description,
  ];
  if (conflict) {
    sections.push(
      '',
      '## The conflicting files',
      '',
      resolution.conflicts.length === 0 ? '(git named none)' : bullets(resolution.conflicts, true),
    );
  } else {
    sections.push('', `## The checks that failed on the merged tree`, ...failedOutput(resolution.results));
  }
  if (input.others.length > 0) {
    sections.push('', `## What was merged into ${base} since your branch forked (the other side)`);
    for (const other of input.others) {
      sections.push(
        '',
        `### ${other.id}: ${other.name}`,
        '',
        other.description === '' ? other.name : other.description,
        '',
        other.commits.length === 0 ? '(no commits)' : bullets(other.commits.slice(0, 20)),
      );
    }
  }
  sections.push(
    '',
    '## What to do',
    '',
    `1. Merge ${base} into your branch: \`git merge ${base}\`.`,
    conflict
      ? "2. Resolve every conflict keeping both sides' intent: this stage's work and the other stages' work must both survive. Do not drop either side to make the conflict go away."
      : '2. Make the checks pass on the merged code, keeping both sides working.',
    `3. Run the checks${input.checks.length === 0 ? ' (none are listed: build and test what you touched)' : `:\n\n${bullets(input.checks, true)}`}`,
    '',
    '4. Commit (`git add`, `git commit`): only commits are merged.',
    '5. Run `flux done`, and stop when it passes: Flux merges the stage again' +
      (def.gate === 'human' ? ', after a person reviews your resolution.' : '.'),
    '',
    `Do not rebase and do not push; change only this worktree.`,
  );
  sections.push(...continuation({ handoff: input.handoff, branchCommits: [] }));
  return sections.join('\n') + '\n';
}
