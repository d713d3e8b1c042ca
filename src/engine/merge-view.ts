/**
 * The merge queue as `flux status` and the dashboard show it (pure): each
 * stage's place in landing, and the queue in merge order (docs/merge-queue.md).
 */
import type { FluxState, StageState } from './state.js';

/**
 * A stage on its way into the base: `queued` (position from 1), `checking`
 * (its merge commit in the integration worktree), `returned` (sent back to its
 * agent: a session is due or working on it), `resolved` (its agent's
 * resolution waits for review), or `waiting` (a person must act).
 */
export interface MergeRow {
  state: 'queued' | 'checking' | 'returned' | 'resolved' | 'waiting';
  position: number | null;
  /** The merge commit being checked (`checking`). */
  commit: string | null;
  /** `conflict` or `checks` when it could not land; null otherwise. */
  cause: 'conflict' | 'checks' | null;
  conflicts: string[];
  /** Checks that failed on the merged tree. */
  failed: string[];
  /** Times it was sent back to its agent so far. */
  attempts: number;
}

export interface QueueRow {
  stage: string;
  position: number;
  state: 'queued' | 'checking';
  since: string;
}

export function mergeRow(stage: StageState, queue: readonly string[]): MergeRow | null {
  const resolution = stage.resolution ?? null;
  const at = queue.indexOf(stage.id);
  const base = {
    position: at === -1 ? null : at + 1,
    commit: null,
    cause: resolution?.cause ?? null,
    conflicts: resolution?.conflicts ?? [],
    failed: (resolution?.results ?? []).filter((r) => r.timed_out || r.exit_code !== 0).map((r) => r.command),
    attempts: resolution?.attempts ?? 0,
  };
  if (at !== -1) {
    const checking = stage.checking ?? null;
    return checking === null
      ? { ...base, state: 'queued' }
      : { ...base, state: 'checking', commit: checking.commit };
  }
  if (resolution === null) return null;
  if (stage.status === 'verified') return { ...base, state: resolution.due ? 'returned' : 'waiting' };
  if (resolution.next !== 'agent') return null;
  if (stage.status === 'completed') return { ...base, state: resolution.due ? 'returned' : 'resolved' };
  return ['running', 'needs_handoff'].includes(stage.status) ? { ...base, state: 'returned' } : null;
}

/** The queue (`mergeQueue`'s order) with what each is doing. */
export function queueRows(state: FluxState, queue: readonly string[]): QueueRow[] {
  return queue.map((id, index) => {
    const stage = state.stages[id]!;
    const checking = stage.checking ?? null;
    return {
      stage: id,
      position: index + 1,
      state: checking === null ? 'queued' : 'checking',
      since: checking?.since ?? stage.since,
    };
  });
}
