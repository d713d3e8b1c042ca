/**
 * Where a session's agent runs: this machine, or a host (docs/hosts.md). A
 * place gives the worktree, the `.work` and the Flux the agent sees there,
 * and writes the agent's files there. On a host: what the agent committed
 * there comes back first, then the base and the branch go there, the
 * worktree is added (or found again), set up, and the files are written
 * over ssh; the agent's calls into Flux relay (FLUX_HOST).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureBranch, fetchStage, pushStage } from '../../effects/host/branches.js';
import { addHostWorktree } from '../../effects/host/repo.js';
import { HOST_ENV } from '../../hosts/protocol.js';
import type { Runtime } from '../runtime.js';
import { setUpWorktree } from './setup.js';

export interface Place {
  worktree: string;
  /** The `.work` the agent sees. */
  workDir: string;
  /** The argv prefix of Flux there. */
  flux: string[];
  write(files: ReadonlyMap<string, string>): Promise<void>;
  /** The agent's environment there. */
  env(env: Record<string, string>): Record<string, string>;
}

export async function localPlace(
  rt: Runtime,
  stageId: string,
  sessionId: string,
  branch: string,
  base: string,
): Promise<Place> {
  const added = await rt.git.addWorktree({ path: rt.worktreePath(stageId), branch, base });
  await setUpWorktree(rt, stageId, sessionId, added.path, added.outcome);
  const workDir = rt.engine.ws.workDir;
  return {
    worktree: added.path,
    workDir,
    flux: rt.flux,
    write: (files) => {
      for (const [file, content] of files) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
      chmodSync(path.join(workDir, 'bin', 'flux'), 0o755);
      return Promise.resolve();
    },
    env: (env) => env,
  };
}

export async function hostPlace(
  rt: Runtime,
  host: string,
  stageId: string,
  sessionId: string,
  branch: string,
  base: string,
): Promise<Place> {
  const world = rt.hostWorld(host);
  const paths = await world.ready();
  const transport = world.transport(paths);
  await fetchStage(transport, branch);
  await ensureBranch(rt.root, branch, base);
  await pushStage(transport, base, branch);
  const added = await addHostWorktree(world.target, paths, stageId, branch);
  await setUpWorktree(rt, stageId, sessionId, added.path, added.outcome, host);
  return {
    worktree: added.path,
    workDir: paths.work,
    flux: world.flux(paths),
    write: (files) => world.writeFiles(files, new Set([path.posix.join(paths.work, 'bin', 'flux')])),
    // This machine's PATH means nothing there (the pane's wrapper puts the host's .work/bin first).
    env: ({ PATH: _path, ...env }) => ({ ...env, [HOST_ENV]: host }),
  };
}
