/** What is alive on Flux's tmux server, for `flux attach` and `flux sessions`. */
import type { Runtime } from '../engine/runtime.js';

/**
 * Names of the tmux sessions that exist on Flux's server (none when it is not
 * running), and the ids of its live panes (an ad hoc task's target, `%7`).
 */
export async function tmuxNames(runtime: Runtime): Promise<Set<string>> {
  const sessions = await runtime.tmux.listSessions().catch(() => []);
  const panes = await runtime.tmux.listPanes().catch(() => []);
  return new Set([...sessions.map((s) => s.name), ...panes.filter((p) => !p.dead).map((p) => p.id)]);
}
