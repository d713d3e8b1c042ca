/**
 * What the views ask of hosts (docs/hosts.md): the tmux sessions a host's
 * server has, whether an error is a host that cannot be reached, and where a
 * stage's worktree is, as a person is shown it. The commands print; the
 * asking over ssh is here, with the runtime's other effects.
 */
import path from 'node:path';
import { HostUnreachableError } from '../../effects/host/call.js';
import { worktreeOnHost } from '../../effects/host/repo.js';
import { ConfigError, ExternalError, FluxError } from '../../errors.js';
import { hostPaths } from '../../hosts/layout.js';
import { WORKTREES_DIR_NAME } from '../../paths.js';
import { loadConfig } from '../config.js';
import type { Engine } from '../engine.js';
import { Runtime } from '../runtime.js';
import { stageHost, type FluxState } from '../state.js';

/** ssh could not reach the host (no route, no login, an unknown host key). */
export function isHostUnreachable(error: unknown): boolean {
  return error instanceof HostUnreachableError;
}

/**
 * The names of the tmux sessions on a host's server, or why it could not be
 * asked: unreachable (ssh's words), no `[hosts.<name>]` any more, tmux
 * failing there. A listing says so and goes on.
 */
export async function hostSessionNames(
  rt: Runtime,
  host: string,
): Promise<Set<string> | { unreachable: string }> {
  try {
    return new Set((await rt.hostWorld(host).tmux.listSessions()).map((s) => s.name));
  } catch (error) {
    if (error instanceof HostUnreachableError) return { unreachable: error.why };
    if (error instanceof FluxError) return { unreachable: error.message };
    throw error;
  }
}

export interface ShownWorktree {
  /** Null: this machine. */
  host: string | null;
  /** Its path where it is; null when it cannot be told. */
  path: string | null;
  /** `/repo/.worktrees/api`, `box1:/home/me/.flux/repo-1a2b3c4d/worktrees/api`. */
  shown: string;
}

/**
 * Where a stage's worktree is: a path here, or `box1:/path` on its host (the
 * host says where its `dir` is). A host that cannot be reached (or fails to
 * say), or a config that no longer names it, still gets an answer: the path
 * the config's `dir` gives, relative to the login's home as scp reads
 * `box1:path`.
 */
export async function shownWorktree(engine: Engine, state: FluxState, id: string): Promise<ShownWorktree> {
  const host = stageHost(state, id);
  if (host === null) {
    const local = state.stages[id]?.task?.worktree ?? path.join(engine.ws.root, WORKTREES_DIR_NAME, id);
    return { host, path: local, shown: local };
  }
  let config;
  try {
    config = loadConfig(engine.ws.configPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { host, path: null, shown: `${host}: (${error.message})` };
  }
  const settings = config.hosts[host];
  if (settings === undefined)
    return { host, path: null, shown: `${host}: (no [hosts.${host}] in ${engine.ws.configPath})` };
  // A host known to be unreachable is not asked again (ssh would wait for its connect timeout).
  if (state.unreachable?.[host] === undefined) {
    try {
      const worktree = await new Runtime(engine, config).stageWorktree(id);
      return { host, path: worktree.path, shown: worktree.shown };
    } catch (error) {
      // Unreachable (a HostUnreachableError is one), or its dir would not resolve there:
      // a view says what it can rather than fail.
      if (!(error instanceof ExternalError)) throw error;
    }
  }
  const dir = settings.dir === '~' ? '.' : settings.dir.replace(/^~\//, '');
  const there = worktreeOnHost(hostPaths(dir, engine.ws.root, ''), id);
  return { host, path: there, shown: `${host}:${there}` };
}
