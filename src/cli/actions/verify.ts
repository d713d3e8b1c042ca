/**
 * The human gate's core, shared by `flux verify` and the dashboard's review
 * screen (`v`): run a completed stage's acceptance commands again and record
 * what the person saw, gather its commits, diffstat, files outside its globs,
 * uncommitted changes and merge preview, then record the verdict (approving
 * merges through the runtime; rejecting ends the session). Each step returns
 * data; the `…Lines` functions put it into the words both show.
 */
import { existsSync } from 'node:fs';
import type { DiffStat, FileStatus, MergePrediction } from '../../effects/git.js';
import type { Committed } from '../../engine/engine.js';
import { requireStage } from '../../engine/lookup.js';
import type { Runtime, StageMergeOutcome } from '../../engine/runtime.js';
import type { StageState } from '../../engine/state.js';
import { decideReview, decideVerdict, outsideFiles, requireVerifiable } from '../../engine/verify.js';
import type { AcceptanceResult } from '../../log/events.js';
import { carryOnAfter, mergeThenCarryOn, type CarryOn } from '../carry-on.js';
import { humanActor } from '../human-only.js';
import { predictionLines, shownPath } from '../merge-report.js';
import { paint, table } from '../output.js';

// ---- acceptance -------------------------------------------------------------------

export type AcceptanceReview =
  | { kind: 'none' }
  | { kind: 'no-worktree'; worktree: string }
  | { kind: 'ran'; results: AcceptanceResult[]; failed: AcceptanceResult[] };

export interface AcceptanceProgress {
  /** Before the first command: how many, and where. */
  onStart?(count: number, where: string): void;
  onCommand?(command: string): void;
  onOutput?(chunk: string): void;
  onResult?(result: AcceptanceResult): void;
}

/**
 * Runs the stage's acceptance commands one by one in its worktree, every one
 * even after a failure, and records the results (`review.recorded`).
 */
export async function reviewAcceptance(
  runtime: Runtime,
  stage: StageState,
  worktree: string,
  progress: AcceptanceProgress = {},
): Promise<AcceptanceReview> {
  const commands = stage.def.acceptance;
  if (commands.length === 0) return { kind: 'none' };
  // A stage on a host is checked there (docs/hosts.md).
  const where = await runtime.stageWorktree(stage.id);
  const cwd = where.host === null ? worktree : where.path;
  if (where.host === null ? !existsSync(worktree) : !(await runtime.worktreeExists(where)))
    return { kind: 'no-worktree', worktree: where.host === null ? worktree : where.shown };
  progress.onStart?.(commands.length, where.host === null ? shownPath(runtime, worktree) : where.shown);
  const results: AcceptanceResult[] = [];
  for (const command of commands) {
    progress.onCommand?.(command);
    const report = await runtime.runAcceptance({
      cwd,
      host: where.host,
      commands: [command],
      timeoutMs: runtime.config.run.acceptance_timeout * 1000,
      onOutput: (chunk) => progress.onOutput?.(chunk),
    });
    results.push(...report.results);
    progress.onResult?.(report.results[0]!);
  }
  runtime.engine.commit((current) => decideReview(current, stage.id, results));
  return { kind: 'ran', results, failed: results.filter((r) => r.timed_out || r.exit_code !== 0) };
}

/** `✓ npm test (1.2s)` or `✗ npm test (exited 1, 0.4s)`. */
export function resultLine(result: AcceptanceResult): string {
  const seconds = `${(result.duration_ms / 1000).toFixed(1)}s`;
  if (result.timed_out) return paint(`✗ ${result.command} (timed out after ${seconds})`, 'red');
  if (result.exit_code !== 0)
    return paint(`✗ ${result.command} (exited ${result.exit_code ?? 'by a signal'}, ${seconds})`, 'red');
  return paint(`✓ ${result.command} (${seconds})`, 'green');
}

export function acceptanceStartLine(count: number, where: string): string {
  return `Acceptance: ${count} command(s) in ${where}`;
}

export function commandLine(command: string): string {
  return paint(`$ ${command}`, 'bold');
}

/** The verdict on the acceptance run; null when it could not run (passed: true when none are listed). */
export function acceptanceSummary(review: AcceptanceReview): { lines: string[]; passed: boolean | null } {
  switch (review.kind) {
    case 'none':
      return { lines: ['Acceptance: the plan lists no commands for this stage.'], passed: true };
    case 'no-worktree':
      return {
        lines: [paint(`Acceptance: not run: there is no worktree at ${review.worktree}.`, 'yellow')],
        passed: null,
      };
    case 'ran':
      if (review.failed.length === 0)
        return { lines: [paint('All acceptance commands pass.', 'green')], passed: true };
      return {
        lines: [
          paint(
            `✗ ACCEPTANCE FAILED: ${review.failed.length} of ${review.results.length} command(s) failed: ${review.failed.map((r) => r.command).join(', ')}`,
            'red',
          ),
        ],
        passed: false,
      };
  }
}

// ---- the changes ------------------------------------------------------------------

export type ChangesReview =
  | { kind: 'no-branch'; branch: string }
  | {
      kind: 'branch';
      branch: string;
      base: string;
      commits: string[];
      stat: DiffStat;
      outside: string[];
      globs: string[];
      /** Uncommitted changes in the worktree; null when there is no worktree. */
      dirty: FileStatus[] | null;
      prediction: MergePrediction;
      /** A resolution of its agent's after the merge queue sent it back; null otherwise. */
      resolution: ResolutionReview | null;
    };

/** What the person reviewing a resolution sees: why it did not land, and what the agent changed since. */
export interface ResolutionReview {
  cause: 'conflict' | 'checks';
  reason: string;
  /** The head that did not land. */
  from: string;
  /** `git log --cc -p <from>..<branch>`: the resolution's commits and diffs. */
  log: string;
}

/** Commits, diffstat, files outside the stage's globs, uncommitted changes, predicted merge. */
export async function reviewChanges(
  runtime: Runtime,
  stage: StageState,
  base: string,
  worktree: string,
): Promise<ChangesReview> {
  const { git } = runtime;
  const branch = runtime.branchName(stage.id);
  // A stage on a host: its branch as the host has it (or as it last came back, if the host is away).
  await runtime.bringBack(stage.id);
  if (!(await git.branchExists(branch))) return { kind: 'no-branch', branch };
  const commits = await git.commitsAhead(branch, base);
  const stat = await git.diffStat(base, branch);
  const outside = outsideFiles(await git.changedFiles(base, branch), stage.def.files);
  const dirty = await dirtyFiles(runtime, stage.id, worktree);
  const prediction = await git.predictMerge(base, branch);
  const resolution = await reviewResolution(runtime, stage, branch);
  return {
    kind: 'branch',
    branch,
    base,
    commits,
    stat,
    outside,
    globs: stage.def.files,
    dirty,
    prediction,
    resolution,
  };
}

async function reviewResolution(
  runtime: Runtime,
  stage: StageState,
  branch: string,
): Promise<ResolutionReview | null> {
  const resolution = stage.resolution ?? null;
  if (resolution === null || resolution.head === null || resolution.next !== 'agent') return null;
  const log = await runtime.git.resolutionLog(resolution.head, branch).catch(() => null);
  if (log === null) return null;
  return { cause: resolution.cause, reason: resolution.reason, from: resolution.head, log };
}

/** How many lines of the resolution's diff the review shows (the pager has all of it). */
const RESOLUTION_LINES = 80;

export function resolutionLines(resolution: ResolutionReview, base: string, branch: string): string[] {
  const log = resolution.log.trimEnd().split('\n');
  return [
    paint(
      `${resolution.cause === 'conflict' ? 'Conflict resolved' : 'Checks fixed'}: it did not land on ${base} (${resolution.reason}); its agent's resolution since ${resolution.from.slice(0, 12)}:`,
      'yellow',
    ),
    ...log.slice(0, RESOLUTION_LINES).map((line) => `  ${line}`),
    ...(log.length > RESOLUTION_LINES
      ? [
          `  … ${log.length - RESOLUTION_LINES} more lines: git log --cc -p ${resolution.from.slice(0, 12)}..${branch}`,
        ]
      : []),
  ];
}

function countCell(n: number | null, sign: string): string {
  return n === null ? 'binary' : `${sign}${n}`;
}

export function changesLines(review: ChangesReview): string[] {
  if (review.kind === 'no-branch')
    return [
      paint(`There is no branch ${review.branch}: the stage has no commits to review or merge.`, 'yellow'),
    ];
  const { branch, base, commits, stat, outside, globs, dirty } = review;
  const lines = [`Commits on ${branch} not in ${base}: ${commits.length}`];
  for (const subject of commits.slice(0, 20)) lines.push(`  ${subject}`);
  if (commits.length > 20) lines.push(`  … and ${commits.length - 20} more`);

  lines.push(
    '',
    `Changes against ${base}: ${stat.files.length} file(s), ${paint(`+${stat.insertions}`, 'green')} ${paint(`-${stat.deletions}`, 'red')}`,
  );
  if (stat.files.length > 0) {
    const rows = stat.files.map((f) => [`  ${f.path}`, countCell(f.added, '+'), countCell(f.deleted, '-')]);
    lines.push(...table(['', '', ''], rows).split('\n').slice(1));
  }

  if (outside.length > 0) {
    lines.push(
      '',
      `${paint(`${outside.length} changed file(s) outside the stage's files`, 'yellow')} (${globs.join(', ')}):`,
      ...outside.map((file) => `  ${file}`),
    );
  } else if (globs.length > 0) {
    lines.push('', `Every changed file is within the stage's files (${globs.join(', ')}).`);
  }

  if (dirty !== null && dirty.length > 0) {
    lines.push(
      '',
      `${paint(`${dirty.length} uncommitted change(s) in the worktree`, 'yellow')} (not part of this review; they stop the merge):`,
      ...dirty.slice(0, 10).map((file) => `  ${file.code} ${file.path}`),
    );
  }
  if (review.resolution !== null) lines.push('', ...resolutionLines(review.resolution, base, branch));
  lines.push('', ...predictionLines(base, review.prediction));
  return lines;
}

/** The full diff of the branch against the base (three-dot, as the diffstat), for a pager. */
export function diffText(runtime: Runtime, base: string, branch: string): Promise<string> {
  return runtime.git.diffText(base, branch);
}

// ---- the verdict ------------------------------------------------------------------

/**
 * Records `stage.verified {by: human}` (the caller passed the human-only
 * check); the merge it requests is for `mergeApproved`.
 */
export function recordApproval(runtime: Runtime, id: string): Committed {
  return runtime.engine.commit((current) => {
    requireVerifiable(current, requireStage(current, id));
    return decideVerdict(current, id, { kind: 'approve' }, humanActor());
  });
}

export interface Approved {
  /** The merge's outcome; null when the approval asked for none. */
  outcome: StageMergeOutcome | null;
  /** What was started to carry on (the dependents, a supervisor). */
  carried: CarryOn;
}

/**
 * Performs what the approval asked for, merging the stage (under the effects
 * lock: if a watching `flux run` or the supervisor got there first, the
 * outcome is the merge it recorded), then starts what it lets start and a
 * supervisor to carry on (not with `start: false`, `--no-start`).
 */
export async function mergeApproved(
  runtime: Runtime,
  id: string,
  committed: Committed,
  options: { start?: boolean } = {},
): Promise<Approved> {
  await runtime.perform(
    committed.effects.filter((effect) => !(effect.type === 'mergeStage' && effect.params.stage === id)),
  );
  if (!committed.effects.some((effect) => effect.type === 'mergeStage'))
    return { outcome: null, carried: await carryOnAfter(runtime, options) };
  return mergeThenCarryOn(runtime, id, options);
}

/**
 * Records `stage.rejected {reason, by: human}` and ends the stage's session
 * if one is still open. Carrying on (the fresh session) is the caller's
 * next step, `carryOnAfter`, so the rejection is said first.
 */
export async function rejectStage(runtime: Runtime, id: string, reason: string): Promise<void> {
  await runtime.commitAndRun((current) => {
    requireVerifiable(current, requireStage(current, id));
    return decideVerdict(current, id, { kind: 'reject', reason }, humanActor());
  });
}

export function rejectedLines(id: string, reason: string): string[] {
  return [
    `Rejected ${id}: ${reason}`,
    `Its worktree and branch are kept. The next \`flux run\` (or \`flux resume ${id}\`) starts a fresh session on the branch, told why.`,
  ];
}

/** Uncommitted changes in the stage's worktree, here or on its host; null when there is none to ask. */
async function dirtyFiles(runtime: Runtime, stageId: string, worktree: string): Promise<FileStatus[] | null> {
  const where = await runtime.stageWorktree(stageId).catch(() => null);
  if (where === null || where.host === null)
    return existsSync(worktree) ? runtime.git.status(worktree) : null;
  return runtime.worktreeDirty(where).catch(() => null);
}
