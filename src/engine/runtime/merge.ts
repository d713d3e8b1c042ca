/**
 * Merging a verified stage and cleaning up after it, as the runtime performs
 * them (under the effects lock). The state is read again once the lock is
 * held: a stage another process merged meanwhile is reported as merged, with
 * the commit it recorded, and nothing is done twice.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MergeOutcome } from '../../effects/git.js';
import { FluxError } from '../../errors.js';
import type { NewEvent } from '../../log/events.js';
import { settle } from '../decide.js';
import type { Runtime } from '../runtime.js';
import { allMerged, currentSession, isTask } from '../state.js';
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
  const dirty = existsSync(worktree) ? await rt.git.status(worktree) : [];
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

function eventFor(stageId: string, outcome: StageMergeOutcome): NewEvent {
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
      };
    case 'refused':
      return {
        type: 'stage.merge_failed',
        stage: stageId,
        reason: outcome.reason,
        conflicts: [],
        hint: outcome.hint,
      };
  }
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
  const { state: after } = await rt.commitAndRun((current) => settle(current, [eventFor(stageId, result)]));
  // The integration worktree lives while something is left to merge.
  if (allMerged(after)) await rt.git.removeIntegration(rt.integrationPath).catch(() => undefined);
  rt.note(
    result.kind === 'merged' || result.kind === 'already-merged'
      ? `${stageId}: merged into ${into} (${result.commit.slice(0, 8)})`
      : result.kind === 'nothing-to-merge'
        ? `${stageId}: nothing to merge (no branch)`
        : `${stageId}: not merged: ${result.kind === 'conflict' ? `conflicts in ${result.conflicts.join(', ')}` : result.reason}`,
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
      (await rt.tmux.killSession(session.tmux).catch(() => false))
    )
      report.done.push(`ended its tmux session ${session.tmux}`);
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
