/**
 * A stage's worktree wherever it is: here (`.worktrees/<id>`, an ad hoc
 * task's own), or on the host its sessions run on. The commands that read a
 * worktree (`flux done`, `flux verify`, the merge) ask here, so a stage on a
 * host is checked there, and its branch is brought back first.
 */
import { existsSync } from 'node:fs';
import { fetchStage } from '../../effects/host/branches.js';
import { HostUnreachableError } from '../../effects/host/call.js';
import { hostDirtyFiles, hostWorktrees, worktreeOnHost } from '../../effects/host/repo.js';
import type { FileStatus } from '../../effects/git/parse.js';
import { stageHost } from '../state.js';
import type { Runtime } from '../runtime.js';

export interface StageWorktree {
  stage: string;
  /** Null: this machine. */
  host: string | null;
  /** Its path where it is. */
  path: string;
  /** How a person is shown it: the path, or `host:path`. */
  shown: string;
}

export async function stageWorktree(rt: Runtime, stageId: string): Promise<StageWorktree> {
  const state = rt.engine.load();
  const host = stageHost(state, stageId);
  if (host === null) {
    const local = rt.worktreePath(stageId, state);
    return { stage: stageId, host, path: local, shown: local };
  }
  const paths = await rt.hostWorld(host).paths();
  const there = worktreeOnHost(paths, stageId);
  return { stage: stageId, host, path: there, shown: `${host}:${there}` };
}

export async function worktreeExists(rt: Runtime, worktree: StageWorktree): Promise<boolean> {
  if (worktree.host === null) return existsSync(worktree.path);
  const world = rt.hostWorld(worktree.host);
  return (await hostWorktrees(world.target, await world.paths())).has(worktree.stage);
}

/** The paths `git status` lists there: uncommitted work, which is never merged. */
export async function worktreeDirty(rt: Runtime, worktree: StageWorktree): Promise<FileStatus[]> {
  if (worktree.host === null) return rt.git.status(worktree.path);
  return hostDirtyFiles(rt.hostWorld(worktree.host).target, worktree.path);
}

/**
 * What the agent committed on the host comes back into the stage's branch
 * here (forward only). A host that cannot be reached leaves the branch as it
 * last came back: the answer says so, and the caller goes on with that.
 */
export async function bringBack(rt: Runtime, stageId: string): Promise<{ unreachable: string } | null> {
  const state = rt.engine.load();
  const host = stageHost(state, stageId);
  if (host === null) return null;
  const world = rt.hostWorld(host);
  try {
    await fetchStage(world.transport(await world.paths()), rt.branchName(stageId, state));
    return null;
  } catch (error) {
    if (error instanceof HostUnreachableError) return { unreachable: error.why };
    throw error;
  }
}
