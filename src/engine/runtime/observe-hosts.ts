/**
 * What the hosts say, for reconciling (docs/hosts.md): the tmux sessions
 * alive there and the stage worktrees there, one round trip each over the
 * host's shared connection. A host that cannot be reached is reported so,
 * and everything of it is taken to be as the log says: its sessions alive,
 * its worktrees present. Nothing is concluded from silence.
 */
import { HostUnreachableError } from '../../effects/host/call.js';
import { hostWorktrees } from '../../effects/host/repo.js';
import type { Runtime } from '../runtime.js';
import { hostsOfStages, liveSessions, stageHost, type FluxState } from '../state.js';

export interface HostsSeen {
  /** tmux sessions alive on hosts (or taken to be); null when tmux was not asked. */
  alive: Set<string> | null;
  /** Stages whose worktree is on a host (or taken to be). */
  worktrees: Set<string>;
  hosts?: { reachable: string[]; unreachable: Record<string, string> };
}

/** The hosts the log has stages on (a merged one may have left its worktree), and those it says cannot be reached. */
export function hostsInUse(state: FluxState): string[] {
  return [...new Set([...hostsOfStages(state, { merged: true }), ...Object.keys(state.unreachable ?? {})])];
}

export async function observeHosts(rt: Runtime, state: FluxState, askTmux: boolean): Promise<HostsSeen> {
  const names = hostsInUse(state).filter((name) => rt.config.hosts[name] !== undefined);
  const onHost = (name: string) => state.order.filter((id) => stageHost(state, id) === name);
  const assumed = (name: string) => onHost(name).filter((id) => state.stages[id]!.status !== 'merged');
  const seen: HostsSeen = { alive: askTmux ? new Set() : null, worktrees: new Set() };
  if (names.length === 0) return seen;
  if (!askTmux) {
    for (const name of names) for (const id of assumed(name)) seen.worktrees.add(id);
    return seen;
  }
  const hosts = { reachable: [] as string[], unreachable: {} as Record<string, string> };
  await Promise.all(
    names.map(async (name) => {
      const world = rt.hostWorld(name);
      try {
        const [sessions, worktrees] = await Promise.all([
          world.tmux.listSessions(),
          world.paths().then((paths) => hostWorktrees(world.target, paths)),
        ]);
        for (const session of sessions) if (!session.paneDead) seen.alive!.add(session.name);
        for (const id of onHost(name)) if (worktrees.has(id)) seen.worktrees.add(id);
        hosts.reachable.push(name);
      } catch (error) {
        if (!(error instanceof HostUnreachableError)) throw error;
        hosts.unreachable[name] = error.why;
        for (const session of liveSessions(state)) if (session.host === name) seen.alive!.add(session.tmux);
        for (const id of assumed(name)) seen.worktrees.add(id);
      }
    }),
  );
  return { ...seen, hosts };
}
