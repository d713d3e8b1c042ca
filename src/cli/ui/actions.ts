/**
 * What the dashboard's keys do, as one interface: the screen calls these and
 * shows what they return. `runtimeActions` is the real thing, built on the
 * same cores the commands use (src/cli/actions/*, src/cli/carry-on.ts), so
 * `a` is `flux approve`, `v` then `a` is `flux verify` approving, `m` is
 * `flux merge`, and so on, each then starting what its decision lets start
 * and a supervisor to carry on, as the commands do without `--no-start`;
 * the component tests pass a fake.
 */
import { existsSync } from 'node:fs';
import type { FluxState } from '../../engine/state.js';
import type { Runtime } from '../../engine/runtime.js';
import { requireStage } from '../../engine/lookup.js';
import { predictedConflicts } from '../../engine/runtime/standalone.js';
import type { BudgetDefaults } from '../../engine/budget.js';
import { readSupervisor } from '../../engine/supervisor.js';
import { requireVerifiable } from '../../engine/verify.js';
import { paint } from '../output.js';
import { planAttach } from '../actions/attach.js';
import { planLines, planMerge } from '../actions/merge.js';
import { answerPermission, describeAnswer } from '../actions/permission.js';
import { resumedLines, resumeStage } from '../actions/resume.js';
import {
  acceptanceStartLine,
  acceptanceSummary,
  changesLines,
  commandLine,
  diffText,
  mergeApproved,
  recordApproval,
  rejectedLines,
  rejectStage,
  resultLine,
  reviewAcceptance,
  reviewChanges,
} from '../actions/verify.js';
import { carryOnAfter, carryOnLines, mergeThenCarryOn } from '../carry-on.js';
import { mergeReport, shownPath } from '../merge-report.js';
import type { SupervisorState } from './supervisor.js';

/**
 * What an action has to say, for the message area: its lines, and the error
 * when it went only part of the way (approved, but the merge conflicted).
 * An action that does nothing at all throws instead.
 */
export interface Outcome {
  lines: string[];
  error?: Error;
}

/** Where the review writes as it goes: lines, and output chunks of the acceptance commands. */
export interface ReviewSink {
  line(text: string): void;
  output(chunk: string): void;
}

export interface ReviewResult {
  /** false when an acceptance command failed now, null when they could not run. */
  passed: boolean | null;
  /** The diff, for the screen's pager; null when there is no branch. */
  diff: string | null;
  /** `git diff <base>...<branch>` for $PAGER. */
  diffArgs: string[] | null;
}

export interface DashboardActions {
  /** The state as of the last event (folds only what was appended since the last call). */
  load(): FluxState;
  supervisor(): SupervisorState;
  /** The `[budget]` defaults of the config: what a stage without its own budget may spend. */
  budgetDefaults(): BudgetDefaults;
  /** The names of the config's `[hosts]`: the table has a HOST column when there are any. */
  hosts(): readonly string[];
  approvePermission(stage: string): Promise<Outcome>;
  denyPermission(stage: string, reason: string | undefined): Promise<Outcome>;
  /** `flux verify` up to the question: acceptance (output live), commits, diffstat, globs, merge preview. */
  review(stage: string, sink: ReviewSink): Promise<ReviewResult>;
  /** Approve and merge, as answering `a` in `flux verify`. */
  approve(stage: string): Promise<Outcome>;
  reject(stage: string, reason: string): Promise<Outcome>;
  merge(stage: string): Promise<Outcome>;
  resume(stage: string): Promise<Outcome>;
  /** The argv that attaches to the stage's tmux session (refusals throw, as `flux attach` refuses). */
  attach(stage: string): Promise<{ argv: string[]; banner: string }>;
  /** The last `lines` lines of the stage's pane. */
  pane(stage: string, lines: number): Promise<string[]>;
  /** Predicted merge conflicts of the stages waiting to merge (`git merge-tree`), as `flux status` shows them. */
  conflicts(): Promise<Record<string, string[]>>;
}

function reportOutcome(
  report: { lines: string[]; error: Error | null },
  before: string[],
  after: string[] = [],
): Outcome {
  // A merge that did not happen starts nothing: what carrying on said is only for one that did.
  return report.error === null
    ? { lines: [...before, ...report.lines, ...after] }
    : { lines: [...before, ...report.lines], error: report.error };
}

export function runtimeActions(runtime: Runtime): DashboardActions {
  /**
   * What was done, then carrying on after it; a failure to carry on (the
   * agent or the supervisor could not start) is said after what was done.
   */
  const thenCarryOn = async (done: string[]): Promise<Outcome> => {
    try {
      return { lines: [...done, ...carryOnLines(await carryOnAfter(runtime), 'dashboard')] };
    } catch (error) {
      return { lines: done, error: error instanceof Error ? error : new Error(String(error)) };
    }
  };
  return {
    load: () => runtime.engine.load(),
    supervisor: () => readSupervisor(runtime.engine.ws),
    budgetDefaults: () => runtime.config.budget,
    hosts: () => Object.keys(runtime.config.hosts),
    approvePermission: (stage) =>
      thenCarryOn([describeAnswer(answerPermission(runtime.engine, stage, 'allow', undefined))]),
    denyPermission: (stage, reason) =>
      thenCarryOn([describeAnswer(answerPermission(runtime.engine, stage, 'deny', reason))]),
    review: async (id, sink) => {
      const state = runtime.engine.load();
      const stage = requireStage(state, id);
      requireVerifiable(state, stage);
      const base = runtime.baseBranch(state);
      const worktree = runtime.worktreePath(id);
      const branch = runtime.branchName(id);
      sink.line(paint(`Reviewing ${id}: ${stage.def.name}`, 'bold'));
      sink.line(paint(`branch ${branch} → ${base}, worktree ${shownPath(runtime, worktree)}`, 'dim'));
      sink.line('');
      const acceptance = await reviewAcceptance(runtime, stage, worktree, {
        onStart: (count, where) => sink.line(acceptanceStartLine(count, where)),
        onCommand: (command) => sink.line(commandLine(command)),
        onOutput: (chunk) => sink.output(chunk),
        onResult: (result) => sink.line(resultLine(result)),
      });
      const summary = acceptanceSummary(acceptance);
      for (const line of summary.lines) sink.line(line);
      sink.line('');
      const changes = await reviewChanges(runtime, stage, base, worktree);
      for (const line of changesLines(changes)) sink.line(line);
      if (changes.kind === 'no-branch') return { passed: summary.passed, diff: null, diffArgs: null };
      return {
        passed: summary.passed,
        diff: await diffText(runtime, base, branch),
        diffArgs: ['git', '-C', runtime.root, 'diff', `${base}...${branch}`],
      };
    },
    approve: async (id) => {
      const committed = recordApproval(runtime, id);
      const approved = paint(`Approved ${id}.`, 'green');
      const { outcome, carried } = await mergeApproved(runtime, id, committed);
      const carriedOn = carryOnLines(carried, 'dashboard');
      if (outcome === null) return { lines: [approved, ...carriedOn] };
      return reportOutcome(mergeReport(runtime, id, outcome), [approved], carriedOn);
    },
    reject: async (id, reason) => {
      await rejectStage(runtime, id, reason);
      return thenCarryOn(rejectedLines(id, reason));
    },
    merge: async (id) => {
      const plan = await planMerge(runtime, id);
      const before = planLines(plan);
      if (plan.kind === 'already-merged') return { lines: before };
      const { outcome, carried } = await mergeThenCarryOn(runtime, id);
      return reportOutcome(mergeReport(runtime, id, outcome), before, carryOnLines(carried, 'dashboard'));
    },
    resume: async (id) => {
      const resumed = await resumeStage(runtime, id);
      if (resumed === null) return { lines: [`${id}: nothing was started.`] };
      return thenCarryOn(resumedLines(runtime, resumed));
    },
    attach: async (id) => {
      const plan = await planAttach(runtime, id, { terminal: true });
      return { argv: plan.argv, banner: plan.banner };
    },
    pane: async (id, lines) => {
      const state = runtime.engine.load();
      const current = requireStage(state, id).session;
      const session = current === null ? undefined : state.sessions[current];
      const tmux = session?.tmux;
      if (tmux === undefined || tmux === '') return [`${id} has no tmux session to show.`];
      // A session on a host is captured on the host's tmux server, over its connection.
      const server = runtime.tmuxOn(session?.host);
      if (!(await server.hasSession(tmux)))
        return [
          `The tmux session ${tmux} of ${id} does not exist (any more)${session?.host == null ? '' : ` on ${session.host}`}.`,
        ];
      return (await server.capturePane(tmux, lines)).split('\n');
    },
    conflicts: () =>
      existsSync(runtime.root)
        ? predictedConflicts(runtime.root, runtime.engine.load())
        : Promise.resolve({}),
  };
}
