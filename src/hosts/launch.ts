/**
 * `flux host launch` (run on a host by the supervisor over ssh, one call for
 * the session starts of a moment): everything a start needs there in one round trip, since
 * each ssh session costs a round trip and the server's session set-up. The
 * request (JSON on stdin) names the stage's worktree in the host's bare
 * clone, the agent's files, and the tmux session to start; the answer is one
 * JSON line. It decides nothing: the log here did.
 *
 * - The worktree is found again, or added: on the branch if the clone has
 *   it (pushed from here), else as a new branch at the base.
 * - `.work` in it links to the host's work folder.
 * - Files are written whole (a temporary name, then a rename).
 * - The tmux session starts; one left by an ended session of the stage
 *   (the log says so, or it would not be asked) is replaced.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { createTmux } from '../effects/tmux.js';
import { RefusedError } from '../errors.js';
import { WORK_DIR_NAME } from '../paths.js';

export interface HostLaunch {
  repo: string;
  worktree: string;
  branch: string;
  base: string;
  work: string;
  files?: Record<string, string>;
  executable?: string[];
  start?: {
    socket?: string;
    name: string;
    argv: string[];
    env: Record<string, string>;
    remainOnExit?: boolean;
  };
}

export interface HostLaunched {
  outcome: 'created' | 'existing';
}

/** One start's answer in a batch: done, or why not (the others go on). */
export type HostLaunchResult = HostLaunched | { error: string };

const run = promisify(execFile);
const git = async (args: readonly string[]): Promise<string> =>
  (await run('git', [...args], { encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }))
    .stdout;

async function registered(repo: string, worktree: string): Promise<boolean> {
  return (await git(['-C', repo, 'worktree', 'list', '--porcelain']))
    .split('\n')
    .some((line) => line === `worktree ${worktree}`);
}

async function ensureWorktree(request: HostLaunch): Promise<HostLaunched['outcome']> {
  if ((await registered(request.repo, request.worktree)) && existsSync(request.worktree)) return 'existing';
  // A folder left by a removal cut short is not a worktree git knows: cleared first.
  rmSync(request.worktree, { recursive: true, force: true });
  mkdirSync(path.dirname(request.worktree), { recursive: true });
  let hasBranch = true;
  try {
    await git(['-C', request.repo, 'rev-parse', '--verify', '--quiet', `refs/heads/${request.branch}`]);
  } catch {
    hasBranch = false;
  }
  await git(
    hasBranch
      ? ['-C', request.repo, 'worktree', 'add', '--quiet', request.worktree, request.branch]
      : [
          '-C',
          request.repo,
          'worktree',
          'add',
          '--quiet',
          '-b',
          request.branch,
          request.worktree,
          `refs/heads/${request.base}`,
        ],
  );
  return 'created';
}

function linkWork(request: HostLaunch): void {
  const link = path.join(request.worktree, WORK_DIR_NAME);
  try {
    unlinkSync(link);
  } catch {
    // Not there yet.
  }
  symlinkSync(request.work, link);
}

function writeFiles(request: HostLaunch): void {
  const executable = new Set(request.executable ?? []);
  for (const [file, content] of Object.entries(request.files ?? {})) {
    mkdirSync(path.dirname(file), { recursive: true });
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, content);
    if (executable.has(file)) chmodSync(part, 0o755);
    renameSync(part, file);
  }
}

async function start(request: HostLaunch): Promise<void> {
  const spec = request.start!;
  const tmux = createTmux(spec.socket === undefined ? {} : { socket: spec.socket });
  const session = {
    name: spec.name,
    cwd: request.worktree,
    command: spec.argv,
    env: spec.env,
    ...(spec.remainOnExit === true ? { remainOnExit: true } : {}),
  };
  try {
    await tmux.newSession(session);
  } catch (error) {
    if (!(error instanceof RefusedError) || !(await tmux.killSession(spec.name))) throw error;
    await tmux.newSession(session);
  }
}

/** Several starts, one after the other (they share the clone's worktree list); each answers for itself. */
export async function launchAllHere(requests: readonly HostLaunch[]): Promise<HostLaunchResult[]> {
  const results: HostLaunchResult[] = [];
  for (const request of requests) {
    try {
      results.push(await launchHere(request));
    } catch (error) {
      const stderr = (error as { stderr?: unknown }).stderr;
      results.push({
        error: typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : (error as Error).message,
      });
    }
  }
  return results;
}

export async function launchHere(request: HostLaunch): Promise<HostLaunched> {
  const outcome = await ensureWorktree(request);
  linkWork(request);
  writeFiles(request);
  if (request.start !== undefined) await start(request);
  return { outcome };
}
