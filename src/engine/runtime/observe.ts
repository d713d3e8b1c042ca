/** What tmux, git and the filesystem say about the stages, for reconciling. */
import { existsSync } from 'node:fs';
import { isPaneId } from '../../effects/tmux.js';
import type { Observed } from '../reconcile.js';
import type { Runtime } from '../runtime.js';
import { liveSessions, stageHost, type FluxState } from '../state.js';
import { observeHosts } from './observe-hosts.js';

export async function observeWorld(rt: Runtime, state: FluxState, askTmux: boolean): Promise<Observed> {
  const away = await observeHosts(rt, state, askTmux);
  const worktrees = new Set(
    state.order.filter((id) => stageHost(state, id) === null && existsSync(rt.worktreePath(id, state))),
  );
  for (const id of away.worktrees) worktrees.add(id);
  const merged = state.order.filter((id) => state.stages[id]!.status === 'merged');
  const branches = new Set<string>();
  if (merged.length > 0) {
    for (const id of merged)
      if (!worktrees.has(id) && (await rt.git.branchExists(rt.branchName(id, state)))) branches.add(id);
  }
  const predicted = await forecastConflicts(rt, state, worktrees);
  if (!askTmux) return { tmux: null, worktrees, branches, predicted };
  const hosts = away.hosts === undefined ? {} : { hosts: away.hosts };
  // Every session (an ad hoc task's is named by [task] session), without those whose agent has exited.
  const sessions = await rt.tmux.listSessions().catch(() => []);
  const alive = new Set(sessions.filter((s) => !s.paneDead).map((s) => s.name));
  for (const name of away.alive ?? []) alive.add(name);
  // A task inside tmux runs in a pane: its id (`%7`) is its target.
  // It counts only while it runs what Flux put there (pane ids start again at %0 with a new server).
  const inPanes = new Map(
    liveSessions(state, { tasks: true })
      .filter((s) => isPaneId(s.tmux))
      .map((s) => [s.tmux, s.id]),
  );
  if (inPanes.size > 0) {
    for (const pane of await rt.tmux.listPanes().catch(() => []))
      if (!pane.dead && inPanes.get(pane.id) === pane.label) alive.add(pane.id);
  }
  return { tmux: alive, worktrees, branches, predicted, ...hosts };
}

/**
 * The completed stages waiting for a review whose merge would conflict with
 * the base (`git merge-tree`, nothing touched), when a resolver session may
 * start for them: `[merge] resolve = "agent"` and attempts left. Each branch
 * head is forecast once (a clean one is remembered by the runtime).
 */
async function forecastConflicts(
  rt: Runtime,
  state: FluxState,
  worktrees: ReadonlySet<string>,
): Promise<Record<string, { conflicts: string[]; head: string }>> {
  const predicted: Record<string, { conflicts: string[]; head: string }> = {};
  if (rt.config.merge.resolve !== 'agent') return predicted;
  for (const id of state.order) {
    const stage = state.stages[id]!;
    if (stage.status !== 'completed' || stage.def.gate !== 'human' || !worktrees.has(id)) continue;
    if (stage.resolution?.due === true) continue;
    if ((stage.resolution?.attempts ?? 0) >= rt.config.merge.resolve_attempts) continue;
    const base = rt.baseFor(state, id);
    const branch = rt.branchName(id, state);
    const [head, tip] = await Promise.all([
      rt.git.branchCommit(branch).catch(() => null),
      rt.git.branchCommit(base).catch(() => null),
    ]);
    if (head === null || tip === null || stage.resolution?.head === head) continue;
    if (rt.forecastClean.get(id) === `${head}..${tip}`) continue;
    const prediction = await rt.git.predictMerge(base, branch).catch(() => null);
    if (prediction?.clean === false) predicted[id] = { conflicts: prediction.conflicts, head };
    else if (prediction?.clean === true) rt.forecastClean.set(id, `${head}..${tip}`);
  }
  return predicted;
}
