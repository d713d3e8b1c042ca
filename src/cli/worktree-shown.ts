/**
 * Where a stage's worktree is, as a person is shown it: a path here, or
 * `box1:/path` on its host (the runtime asks the host where its `dir` is).
 * A host that cannot be reached, or a config that no longer names it, still
 * gets an answer: the path the config's `dir` gives, relative to the login's
 * home as scp reads `box1:path`.
 */
import path from 'node:path';
import { HostUnreachableError } from '../effects/host/call.js';
import { worktreeOnHost } from '../effects/host/repo.js';
import { loadConfig } from '../engine/config.js';
import type { Engine } from '../engine/engine.js';
import { Runtime } from '../engine/runtime.js';
import { stageHost, type FluxState } from '../engine/state.js';
import { ConfigError } from '../errors.js';
import { hostPaths } from '../hosts/layout.js';
import { WORKTREES_DIR_NAME } from '../paths.js';

export interface ShownWorktree {
  /** Null: this machine. */
  host: string | null;
  /** Its path where it is; null when it cannot be told. */
  path: string | null;
  /** `/repo/.worktrees/api`, `box1:/home/me/.flux/repo-1a2b3c4d/worktrees/api`. */
  shown: string;
}

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
      if (!(error instanceof HostUnreachableError)) throw error;
    }
  }
  const dir = settings.dir === '~' ? '.' : settings.dir.replace(/^~\//, '');
  const there = worktreeOnHost(hostPaths(dir, engine.ws.root, ''), id);
  return { host, path: there, shown: `${host}:${there}` };
}
