/**
 * Where a session's agent runs: this machine, or a host (docs/hosts.md). A
 * place gives the worktree, the `.work` and the Flux the agent sees there,
 * writes the agent's files there and starts its tmux session.
 *
 * On a host, each ssh session costs a round trip and the server's set-up,
 * so a start is as few calls as can be: a stage's branch comes back and
 * goes there only when it has history; then one call to the host's Flux
 * (`flux host launch`), shared by the stages starting together, brings the
 * base in (a bundle of what the clone lacks, src/effects/host/base.ts), adds
 * the worktree, writes the files and starts the tmux session. Setup
 * commands, when the plan has some, need the worktree before the agent: the
 * worktree is made first, then they run.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fetchStage, pushRefs } from '../../effects/host/branches.js';
import { worktreeOnHost } from '../../effects/host/repo.js';
import { launchOnHost } from '../../effects/host/start.js';
import { hostTmuxSocket } from '../../effects/host/world.js';
import { HOST_ENV } from '../../hosts/protocol.js';
import type { Runtime } from '../runtime.js';
import { checkoutNeeds, setUpWorktree, setupCommands } from './setup.js';

export interface StartSpec {
  name: string;
  argv: string[];
  env: Record<string, string>;
  remainOnExit?: boolean;
}

export interface Place {
  worktree: string;
  /** The `.work` the agent sees. */
  workDir: string;
  /** The argv prefix of Flux there. */
  flux: string[];
  write(files: ReadonlyMap<string, string>): Promise<void>;
  /** The agent's environment there. */
  env(env: Record<string, string>): Record<string, string>;
  /** A host's place starts the session itself (with the files, in one call); absent: this machine's tmux. */
  start?: (session?: StartSpec) => Promise<void>;
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
  // What the base needs there is made meanwhile; the launch call takes it (start.ts).
  world.baseFor(base).catch(() => {});
  const transport = world.transport(paths);
  const state = rt.engine.load();
  const stage = state.stages[stageId]!;
  // Only a stage with history has a branch anywhere: what the host has comes back first.
  const history = stage.sessions.some((id) => id !== sessionId);
  if (history && stage.sessions.some((id) => id !== sessionId && state.sessions[id]?.host === host))
    await fetchStage(transport, branch);
  const branchHere = history && (await rt.git.branchExists(branch));
  if (branchHere) await pushRefs(transport, [branch]);
  const worktree = worktreeOnHost(paths, stageId);
  const request = { repo: paths.repo, worktree, branch, base, work: paths.work };
  const { needed } = await checkoutNeeds(rt, setupCommands(state, stage));
  if (needed) {
    const { outcome } = await launchOnHost(world, request);
    await setUpWorktree(rt, stageId, sessionId, worktree, outcome, host);
  }
  const files: Record<string, string> = {};
  const bin = path.posix.join(paths.work, 'bin', 'flux');
  return {
    worktree,
    workDir: paths.work,
    flux: world.flux(paths),
    write: (written) => {
      for (const [file, content] of written) files[file] = content;
      return Promise.resolve();
    },
    // This machine's PATH means nothing there (the pane's wrapper puts the host's .work/bin first).
    env: ({ PATH: _path, ...env }) => ({ ...env, [HOST_ENV]: host }),
    start: async (session) => {
      const socket = hostTmuxSocket(rt.tmux.socket, host);
      await launchOnHost(world, {
        ...request,
        files,
        executable: [bin],
        ...(session === undefined
          ? {}
          : { start: { ...session, ...(socket === undefined ? {} : { socket }) } }),
      });
    },
  };
}
