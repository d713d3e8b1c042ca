/**
 * Git and tmux for the commands that have no Runtime: before a workspace
 * exists (`flux init`, a first `flux task run`, `flux demo`, `flux skill
 * install`), or where a broken config must not stop them (`flux status`);
 * and the human-only check, which runs before its command loads.
 */
import { runAcceptance, type AcceptanceOptions, type AcceptanceReport } from '../../effects/acceptance.js';
import { identifyCaller, type Caller } from '../../effects/agent-ancestry.js';
import { runTool, toolFailure } from '../../effects/exec.js';
import { createGit, findMainWorktree } from '../../effects/git.js';
import { createTmux } from '../../effects/tmux.js';
import { STAGE_BRANCH_PREFIX } from '../../paths.js';
import { chooseTmuxSocket, loadConfig } from '../config.js';
import { requireFirstCommit } from '../first-commit.js';
import { liveSessions, type FluxState } from '../state.js';
import type { Workspace } from '../workspace.js';
import { locateProgram } from './program.js';

/** The main worktree of the repository around `cwd`; ExternalError (exit 5) outside a repository. */
export function findRepository(cwd: string): Promise<string> {
  return findMainWorktree(cwd);
}

/** The branch checked out in the main worktree; null on a detached HEAD. */
export function currentBranch(root: string): Promise<string | null> {
  return createGit(root).currentBranch();
}

/**
 * HEAD's commit; RefusedError (exit 3) when the repository has none yet
 * (src/engine/first-commit.ts). `forks` says what forks from it, `command`
 * what to run again.
 */
export function requireHeadCommit(root: string, forks: string, command: string): Promise<string> {
  return requireFirstCommit(createGit(root), root, forks, command);
}

/**
 * What a task forks from: the current branch, or HEAD's commit on a
 * detached HEAD. Refused when the repository has no commit yet.
 */
export async function forkPoint(root: string): Promise<{ branch: string | null; base: string }> {
  const branch = await currentBranch(root);
  const head = await requireHeadCommit(root, 'a task forks from it', 'flux task run');
  return { branch, base: branch ?? head };
}

/** Keeps Flux's own files (`.work/`, `.worktrees/`) out of `git status` (`.git/info/exclude`). */
export async function excludeFluxFiles(root: string): Promise<void> {
  await createGit(root).ensureExcluded();
}

/** Stages waiting to be merged whose branch would conflict with the base, predicted with `git merge-tree`. */
export async function predictedConflicts(root: string, state: FluxState): Promise<Record<string, string[]>> {
  const waiting = state.order.filter((id) => ['completed', 'verified'].includes(state.stages[id]!.status));
  const base = state.baseBranch;
  if (waiting.length === 0 || base === null) return {};
  const git = createGit(root);
  const conflicts: Record<string, string[]> = {};
  for (const id of waiting) {
    const branch = `${STAGE_BRANCH_PREFIX}${id}`;
    const prediction = await git.predictMerge(base, branch).catch(() => undefined);
    if (prediction?.clean === false) conflicts[id] = prediction.conflicts;
  }
  return conflicts;
}

/** One git command in `cwd`, for a repository made from nothing (`flux demo`'s); ExternalError when it fails. */
export async function gitCommand(cwd: string, args: readonly string[]): Promise<void> {
  const result = await runTool('git', args, { cwd, missingHint: 'install git 2.38 or newer' });
  if (result.exitCode !== 0) throw toolFailure('git', [...args], result);
}

/** The tmux version; ExternalError (with how to install it) when tmux is missing or too old. */
export function checkTmux(socket?: string): Promise<string> {
  return createTmux(socket === undefined ? {} : { socket }).isInstalled();
}

/**
 * Who runs this process, for the human-only check (src/cli/human-only.ts):
 * one of the workspace's agent sessions, a person, or unknown (process
 * ancestry against the panes of live sessions on Flux's tmux server, and the
 * FLUX_SESSION an ancestor started with: src/effects/agent-ancestry.ts).
 */
export function callerOf(ws: Workspace, state: FluxState): Promise<Caller> {
  const live = new Set(liveSessions(state, { tasks: true }).map((session) => session.id));
  // The server Flux's sessions run on, chosen as the runtime chooses it (asked only while one is live).
  const socket = chooseTmuxSocket(() => loadConfig(ws.configPath));
  return identifyCaller({
    sessions: Object.values(state.sessions).map((session) => ({
      id: session.id,
      tmux: session.tmux,
      live: live.has(session.id),
    })),
    servers: [createTmux(socket === undefined ? {} : { socket })],
  });
}

/**
 * The repository's files for `flux plan check`: tracked ones and untracked
 * ones git does not ignore (a plan may name files not committed yet),
 * relative to the root, Flux's own left out.
 */
export async function repositoryFiles(root: string): Promise<string[]> {
  const args = ['ls-files', '-z', '--cached', '--others', '--exclude-standard'];
  const result = await runTool('git', args, {
    cwd: root,
    raw: true,
    missingHint: 'install git 2.38 or newer',
  });
  if (result.exitCode !== 0) throw toolFailure('git', args, result);
  return [...new Set(result.stdout.split('\0'))].filter(
    (file) => file !== '' && !file.startsWith('.work/') && !file.startsWith('.worktrees/'),
  );
}

/** Whether a program (a name on PATH, or a path) is installed. */
export function programInstalled(program: string): boolean {
  return locateProgram(program) !== null;
}

/** Acceptance commands in a worktree of this machine, outside any workspace (`flux host accept` on a host). */
export function acceptHere(options: AcceptanceOptions): Promise<AcceptanceReport> {
  return runAcceptance(options);
}
