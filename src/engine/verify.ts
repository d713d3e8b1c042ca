/**
 * The decisions behind the human commands (pure): which stages `flux verify`,
 * `flux merge` and `flux resume` accept, what they record, and which
 * worktrees `flux worktree clean` may remove. The commands in
 * `src/cli/commands/` gather what git and tmux say, then ask these.
 */
import { RefusedError } from '../errors.js';
import type { AcceptanceResult, NewEvent } from '../log/events.js';
import { requireStage } from './lookup.js';
import { matchesAny } from '../plan/glob.js';
import { settle, withEvents, type Decision } from './decide.js';
import { startEvents } from './scheduler.js';
import {
  currentSession,
  sessionAlive,
  unmergedDependencies,
  type FluxState,
  type StageState,
} from './state.js';

/** What a person can do about a stage in the state it is in (used in refusals). */
export function nextStepFor(state: FluxState, stage: StageState): string {
  const id = stage.id;
  switch (stage.status) {
    case 'pending': {
      const waiting = unmergedDependencies(state, id);
      return waiting.length === 0
        ? `\`flux run\` makes it ready and starts it`
        : `it waits for ${waiting.join(', ')} to be merged; then \`flux run\` starts it`;
    }
    case 'ready':
      return `it has not started yet: \`flux run\` (or \`flux run --stage ${id}\`) starts it`;
    case 'running': {
      const session = currentSession(state, stage);
      if (session !== null && !sessionAlive(session))
        return `its session ${session.id} ${session.status} before the stage was done: \`flux resume ${id}\` starts a fresh session on its branch`;
      if (session !== null && session.tmux === '')
        return 'its agent was prepared for you to start by hand (the command `flux run --manual` printed); the stage becomes completed when that agent runs `flux done` and the acceptance commands pass';
      return `its agent is still working; the stage becomes completed when the agent runs \`flux done\` and the acceptance commands pass (watch it with \`flux attach ${id}\`)`;
    }
    case 'needs_handoff':
      return `a fresh session continues from its handoff: \`flux run\` or \`flux resume ${id}\``;
    case 'completed':
      return `it waits for your review: \`flux verify ${id}\``;
    case 'verified':
      if (stage.resolution?.due === true)
        return `it did not land (${stage.reason ?? stage.resolution.reason}) and goes back to its agent: \`flux run\` starts the session that resolves it`;
      return stage.reason === null
        ? `it is approved: \`flux merge ${id}\` merges it (\`flux run\` does too)`
        : `it is approved but not merged (${stage.reason}): fix that, then \`flux merge ${id}\``;
    case 'merged':
      return `it is merged${stage.mergedCommit === null ? '' : ` (${stage.mergedCommit.slice(0, 12)})`}; nothing is left to do`;
    case 'failed':
    case 'blocked':
      return `\`flux resume ${id}\` starts a fresh session on its branch`;
    case 'rejected':
      return `\`flux resume ${id}\` (or \`flux run\`) starts a fresh session that is told why it was rejected`;
  }
}

function stateWithReason(stage: StageState): string {
  return stage.reason === null ? stage.status : `${stage.status} (${stage.reason})`;
}

// ---- flux verify ---------------------------------------------------------------

/** Throws unless the stage is completed, the only state a person reviews. */
export function requireVerifiable(state: FluxState, stage: StageState): void {
  if (stage.status === 'completed') return;
  throw new RefusedError(
    `stage '${stage.id}' is ${stateWithReason(stage)}, not completed: only a completed stage can be verified`,
    nextStepFor(state, stage),
  );
}

export type Verdict = { kind: 'approve' } | { kind: 'reject'; reason: string };

/**
 * The events (and effects: the merge, or ending the session) of a person's
 * verdict; `by` comes from the human-only check (src/cli/human-only.ts).
 */
export function decideVerdict(state: FluxState, stageId: string, verdict: Verdict, by: 'human'): Decision {
  const event: NewEvent =
    verdict.kind === 'approve'
      ? { type: 'stage.verified', stage: stageId, by }
      : { type: 'stage.rejected', stage: stageId, reason: verdict.reason, by };
  return settle(state, [event]);
}

/** Changed files the stage's `files` globs do not cover (none when it declares no globs). */
/** What the review ran, for the record: the acceptance results a person saw before deciding. */
export function decideReview(state: FluxState, stageId: string, results: AcceptanceResult[]): Decision {
  requireVerifiable(state, requireStage(state, stageId));
  return { events: [{ type: 'review.recorded', stage: stageId, results }], effects: [] };
}

export function outsideFiles(changed: readonly string[], globs: readonly string[]): string[] {
  if (globs.length === 0) return [];
  return changed.filter((file) => !matchesAny(file, globs));
}

// ---- flux merge ----------------------------------------------------------------

/**
 * Whether `flux merge` should try: true for a verified stage, false for one
 * that is already merged (nothing to do); throws for every other state.
 */
export function requireMergeable(state: FluxState, stage: StageState): boolean {
  if (stage.status === 'verified') return true;
  if (stage.status === 'merged') return false;
  const hint =
    stage.status === 'completed'
      ? `review it first: \`flux verify ${stage.id}\` (approving merges it)`
      : nextStepFor(state, stage);
  throw new RefusedError(
    `stage '${stage.id}' is ${stateWithReason(stage)}, not verified: only an approved stage is merged`,
    hint,
  );
}

// ---- flux resume ---------------------------------------------------------------

export const RESUMABLE = ['running', 'failed', 'blocked', 'needs_handoff', 'rejected'] as const;

export interface ResumeOptions {
  agent: string;
  sessionPrefix: string;
  /** Whether the current session's tmux session exists. */
  tmuxAlive: boolean;
  /** The host the new session runs on (its worktree's); absent: this machine. */
  host?: string;
}

/**
 * The events that give a stage a fresh session: its current session recorded
 * as crashed when the log thinks it alive but its tmux session is gone, then
 * the start events. Refuses a live session and stages that have nothing to resume.
 */
export function decideResume(state: FluxState, stageId: string, options: ResumeOptions): Decision {
  const stage = state.stages[stageId]!;
  if (!(RESUMABLE as readonly string[]).includes(stage.status)) {
    throw new RefusedError(
      `stage '${stage.id}' is ${stateWithReason(stage)}: there is nothing to resume`,
      nextStepFor(state, stage),
    );
  }
  const session = currentSession(state, stage);
  const events: NewEvent[] = [];
  if (session !== null && sessionAlive(session)) {
    if (session.tmux === '') {
      throw new RefusedError(
        `session ${session.id} of stage '${stage.id}' was started by hand (flux run --manual) and is ${session.status}`,
        `stop that agent, or end the session with \`flux sessions kill ${session.id}\`, then resume`,
      );
    }
    if (options.tmuxAlive) {
      throw new RefusedError(
        `session ${session.id} of stage '${stage.id}' is alive (${session.status}, tmux session ${session.tmux})`,
        `attach with \`flux attach ${stage.id}\`; to replace it, end it first with \`flux sessions kill ${stage.id}\``,
      );
    }
    events.push({
      type: 'session.crashed',
      session: session.id,
      reason: `its tmux session ${session.tmux} is gone`,
    });
  }
  // The start events see the session as crashed already (so they do not end it again).
  const after = events.length === 0 ? state : withEvents(state, events);
  events.push(
    ...startEvents(after, after.stages[stageId]!, options.agent, options.sessionPrefix, false, options.host),
  );
  return settle(state, events);
}

// ---- flux worktree clean -------------------------------------------------------

export interface WorktreeFacts {
  /** The directory name under `.worktrees/`. */
  name: string;
  /** Registered with git (a directory git does not know is never deleted). */
  registered: boolean;
  branch: string | null;
}

export type CleanVerdict = { remove: true; why: string } | { remove: false; why: string };

/**
 * Whether `flux worktree clean` may try to remove a worktree: only a merged
 * stage's leftover, or one of a stage that is not in the plan. Git then
 * refuses anything with uncommitted or unmerged work.
 */
export function cleanVerdict(state: FluxState, facts: WorktreeFacts): CleanVerdict {
  if (!facts.registered)
    return { remove: false, why: 'not a git worktree of this repository; Flux does not delete it' };
  if (facts.branch === null) return { remove: false, why: 'its HEAD is detached; remove it by hand' };
  const stage = state.stages[facts.name];
  if (stage === undefined) return { remove: true, why: 'no stage of the plan has this name' };
  if (stage.status === 'merged') return { remove: true, why: `stage ${stage.id} is merged` };
  return { remove: false, why: `stage ${stage.id} is ${stage.status}` };
}
