/**
 * Merging a verified stage and cleaning up after it, as the runtime performs
 * them (under the effects lock). The state is read again once the lock is
 * held: a stage another process merged meanwhile is reported as merged, with
 * the commit it recorded, and nothing is done twice.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ACCEPTANCE_ENV, ENV } from '../../agents/protocol.js';
import type { CheckVerdict, MergeOutcome } from '../../effects/git.js';
import { FluxError } from '../../errors.js';
import type { NewEvent } from '../../log/events.js';
import { settle } from '../decide.js';
import type { Runtime } from '../runtime.js';
import { allMerged, currentSession, isTask, stageHost, type FluxState, type StageState } from '../state.js';
import { cleanupOnHost } from './host-cleanup.js';
import { prepareIntegration } from './setup.js';
import { bringBack, stageWorktree, worktreeDirty } from './stage-worktree.js';
import { closeTaskTmux } from './tasks.js';

export type { MergeOutcome } from '../../effects/git.js';

/** What merging a stage came to, and the event that recorded it (none when nothing was tried). */
export type StageMergeOutcome = MergeOutcome | { kind: 'nothing-to-merge'; notes: string[] };

function shown(rt: Runtime, file: string): string {
  const relative = path.relative(rt.root, file);
  return relative.startsWith('..') ? file : relative;
}

/** Why a stage cannot be merged before git is even asked; null when it can be tried. */
async function precheck(rt: Runtime, stageId: string): Promise<StageMergeOutcome | null> {
  // A stage on a host: what was committed there comes back first (if it cannot, the branch as it last came).
  const away = await bringBack(rt, stageId);
  if (away !== null)
    rt.note(
      `${stageId}: ${stageHost(rt.engine.load(), stageId)} cannot be reached; merging the branch as it last came back`,
    );
  const state = rt.engine.load();
  const stage = state.stages[stageId]!;
  const branch = rt.branchName(stageId, state);
  const worktree = rt.worktreePath(stageId, state);
  if (!(await rt.git.branchExists(branch))) {
    // Completed by hand before any session made a branch: there is nothing to merge.
    if (stage.sessions.length === 0) return { kind: 'nothing-to-merge', notes: [] };
    const head = existsSync(worktree) ? await rt.git.headCommit(worktree).catch(() => null) : null;
    return {
      kind: 'refused',
      reason: `its branch ${branch} is gone (deleted by hand?): nothing was merged`,
      hint:
        head === null
          ? `if the commits are on another branch, recreate it (git branch ${branch} <commit>), then \`flux merge ${stageId}\`; \`flux stage ${stageId} reset\` starts the stage over`
          : `its worktree ${shown(rt, worktree)} still has the commits (HEAD ${head.slice(0, 12)}): \`git -C ${shown(rt, worktree)} switch -c ${branch}\`, then \`flux merge ${stageId}\``,
      notes: [],
    };
  }
  const where = await stageWorktree(rt, stageId);
  const dirty =
    where.host === null
      ? existsSync(worktree)
        ? await rt.git.status(worktree)
        : []
      : away === null
        ? await worktreeDirty(rt, where)
        : [];
  if (dirty.length > 0) {
    return {
      kind: 'refused',
      reason: `the stage's worktree has uncommitted changes: ${dirty
        .map((f) => f.path)
        .slice(0, 8)
        .join(', ')}`,
      hint: `commit them in ${shown(rt, worktree)} (only commits are merged) or discard them, then \`flux merge ${stageId}\``,
      notes: [],
    };
  }
  return null;
}

/** The checks of the merge queue for a stage: the plan's own, then the stage's acceptance (docs/merge-queue.md). */
export function mergeChecks(state: FluxState, stage: StageState): string[] {
  // An ad hoc task lands on its own base, outside the plan and its queue (`flux task cleanup`).
  if (isTask(stage)) return [];
  return [...(state.plan?.acceptance ?? []), ...stage.def.acceptance];
}

/** Whether the queue sends a stage that could not land back to its agent, or leaves it to a person. */
export function nextAfterFailure(
  rt: Runtime,
  stage: StageState,
  cause: 'conflict' | 'checks',
): 'agent' | 'person' {
  // Ad hoc tasks are started by `flux task run` only, never by the scheduler.
  if (isTask(stage)) return 'person';
  if ((stage.resolution?.attempts ?? 0) >= rt.config.merge.resolve_attempts) return 'person';
  if (cause === 'conflict' && rt.config.merge.resolve === 'manual') return 'person';
  return 'agent';
}

/** The first failing check, for a one-line reason. */
function failedChecks(outcome: Extract<StageMergeOutcome, { kind: 'checks-failed' }>): string {
  const failed = outcome.results.filter((r) => r.timed_out || r.exit_code !== 0).map((r) => r.command);
  return `the merged tree fails the checks: ${failed.join(', ')}`;
}

function eventFor(rt: Runtime, stage: StageState, outcome: StageMergeOutcome): NewEvent {
  const stageId = stage.id;
  switch (outcome.kind) {
    case 'merged':
    case 'already-merged':
      return { type: 'stage.merged', stage: stageId, commit: outcome.commit };
    case 'nothing-to-merge':
      return { type: 'stage.merged', stage: stageId, commit: null };
    case 'conflict':
      return {
        type: 'stage.merge_failed',
        stage: stageId,
        reason: `merge conflicts in ${outcome.conflicts.join(', ')}`,
        conflicts: outcome.conflicts,
        cause: 'conflict',
        ...(outcome.head === undefined ? {} : { head: outcome.head }),
        next: nextAfterFailure(rt, stage, 'conflict'),
      };
    case 'checks-failed':
      return {
        type: 'stage.merge_failed',
        stage: stageId,
        reason: failedChecks(outcome),
        conflicts: [],
        cause: 'checks',
        head: outcome.head,
        commit: outcome.commit,
        base_commit: outcome.base,
        results: outcome.results,
        next: nextAfterFailure(rt, stage, 'checks'),
      };
    case 'refused':
      return {
        type: 'stage.merge_failed',
        stage: stageId,
        reason: outcome.reason,
        conflicts: [],
        hint: outcome.hint,
        cause: 'refused',
      };
  }
}

/**
 * Runs the checks on a merge commit checked out in the integration worktree,
 * once `merge.checking` is recorded (so `flux status` shows it); the
 * acceptance timeout bounds each command.
 */
function checker(rt: Runtime, stageId: string, commands: string[]) {
  return async (commit: string, dir: string, base: string): Promise<CheckVerdict> => {
    rt.engine.commit(() => ({
      events: [{ type: 'merge.checking', stage: stageId, commit, base_commit: base, commands }],
      effects: [],
    }));
    rt.note(`${stageId}: checking the merge ${commit.slice(0, 8)} (${commands.length} command(s))`);
    // The checks see the working copy the stage's acceptance saw: its copied files and setup.
    const prepared = await prepareIntegration(rt, stageId, dir);
    if (!prepared.passed) return prepared;
    const report = await rt.runAcceptance({
      cwd: dir,
      commands,
      timeoutMs: rt.config.run.acceptance_timeout * 1000,
      env: { [ENV.stage]: stageId, [ACCEPTANCE_ENV.mergeCheck]: commit },
    });
    return report.passed ? { passed: true } : { passed: false, results: report.results };
  };
}

/** Merges a verified stage into its base (or `base`); records merged or merge_failed, then what follows. */
export async function mergeStage(rt: Runtime, stageId: string, base?: string): Promise<StageMergeOutcome> {
  const state = rt.engine.load();
  const stage = state.stages[stageId];
  if (stage === undefined) return { kind: 'refused', reason: `no stage ${stageId}`, hint: '', notes: [] };
  if (stage.status === 'merged')
    return stage.mergedCommit === null
      ? { kind: 'nothing-to-merge', notes: [] }
      : { kind: 'already-merged', commit: stage.mergedCommit, notes: [] };
  if (stage.status !== 'verified')
    return { kind: 'refused', reason: `${stageId} is ${stage.status}, not verified`, hint: '', notes: [] };
  const into = base ?? rt.baseFor(state, stageId);
  const checks = mergeChecks(state, stage);
  let outcome: StageMergeOutcome;
  try {
    outcome =
      (await precheck(rt, stageId)) ??
      (await rt.git.merge({
        branch: rt.branchName(stageId, state),
        base: into,
        message: `Merge ${stage.kind === 'task' ? 'task' : 'stage'} ${stageId}: ${stage.def.name}`,
        key: stageId,
        integration: rt.integrationPath,
        ...(checks.length === 0 ? {} : { check: checker(rt, stageId, checks) }),
      }));
  } catch (error) {
    if (!(error instanceof FluxError)) throw error;
    outcome = {
      kind: 'refused',
      reason: error.message,
      hint: error.hint ?? 'fix that, then merge again',
      notes: [],
    };
  }
  for (const note of outcome.notes) rt.note(`${stageId}: ${note}`);
  const result = outcome;
  const { state: after } = await rt.commitAndRun((current) =>
    settle(current, [eventFor(rt, current.stages[stageId] ?? stage, result)]),
  );
  // The integration worktree lives while something is left to merge.
  if (allMerged(after)) await rt.git.removeIntegration(rt.integrationPath).catch(() => undefined);
  rt.note(
    result.kind === 'merged' || result.kind === 'already-merged'
      ? `${stageId}: merged into ${into} (${result.commit.slice(0, 8)})`
      : result.kind === 'nothing-to-merge'
        ? `${stageId}: nothing to merge (no branch)`
        : `${stageId}: not merged: ${
            result.kind === 'conflict'
              ? `conflicts in ${result.conflicts.join(', ')}`
              : result.kind === 'checks-failed'
                ? failedChecks(result)
                : result.reason
          }${after.stages[stageId]?.resolution?.due === true ? '; back to its agent' : ''}`,
  );
  return outcome;
}

/** What a cleanup did (for a person's report), and what it had to keep. */
export interface CleanupReport {
  done: string[];
  /** Why the worktree or branch stays; null when everything went. */
  kept: string | null;
}

/**
 * After a merge: the tmux session (an ad hoc task's pane or session), the
 * worktree and the branch go, once git confirms the branch is in the base.
 * What cannot go is recorded (`cleanup.failed`), so the monitor does not try
 * again every round; `flux worktree clean` does, when a person asks.
 */
export async function cleanupStage(rt: Runtime, stageId: string): Promise<CleanupReport> {
  const report: CleanupReport = { done: [], kept: null };
  const state = rt.engine.load();
  const stage = state.stages[stageId];
  if (stage === undefined || stage.status !== 'merged') return report;
  const base = stage.mergedCommit ?? rt.baseFor(state, stageId);
  const branch = rt.branchName(stageId, state);
  const worktree = rt.worktreePath(stageId, state);
  if (isTask(stage)) {
    report.done.push(...(await closeTaskTmux(rt, state, stage)).map((what) => `closed its ${what}`));
  } else {
    const session = currentSession(state, stage);
    if (
      session !== null &&
      session.tmux !== '' &&
      (await rt
        .tmuxOn(session.host)
        .killSession(session.tmux)
        .catch(() => false))
    )
      report.done.push(`ended its tmux session ${session.tmux}`);
  }
  const host = stageHost(state, stageId);
  if (host !== null) {
    const kept = await cleanupOnHost(rt, host, stageId, branch);
    if (kept === 'unreachable') return report;
    if (kept !== null) {
      report.kept = kept;
      rt.engine.commit(() => ({
        events: [{ type: 'cleanup.failed', stage: stageId, reason: kept }],
        effects: [],
      }));
      return report;
    }
    report.done.push(`removed its worktree and branch on ${host}`);
  }
  try {
    if ((await rt.git.removeWorktree(worktree, { branch, base })).removed)
      report.done.push(`removed its worktree ${shown(rt, worktree)}`);
    if ((await rt.git.deleteBranch(branch, { base })).deleted)
      report.done.push(`deleted the branch ${branch}`);
  } catch (error) {
    if (!(error instanceof FluxError)) throw error;
    report.kept = error.message;
    rt.note(`${stageId}: kept its worktree: ${error.message}`);
    rt.engine.commit(() => ({
      events: [{ type: 'cleanup.failed', stage: stageId, reason: error.message }],
      effects: [],
    }));
  }
  return report;
}
