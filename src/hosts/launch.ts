/**
 * `flux host launch` (run on a host by the supervisor over ssh, one call for
 * the session starts of a moment): everything a start needs there in one
 * round trip, since each ssh session costs a round trip and the server's
 * session set-up. The request (JSON on stdin) carries the bases to bring
 * into the host's bare clone (git bundles) and, for each start, the stage's
 * worktree, the agent's files and the tmux session to start; the answer is
 * one JSON line. It decides nothing: the log here did.
 *
 * - The bases are fetched from their bundles first.
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

/** A base as a git bundle (src/effects/host/base.ts): `branch` at `commit`, base64. */
export interface BaseBundle {
  branch: string;
  commit: string;
  data: string;
}

/** What `flux host launch` reads: the bases to fetch into the clone first, then the starts. */
export interface HostLaunchBatch {
  repo: string;
  bases: BaseBundle[];
  launches: HostLaunch[];
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

async function succeeds(args: readonly string[]): Promise<boolean> {
  try {
    await git(args);
    return true;
  } catch {
    return false;
  }
}

const freshArgs = (request: HostLaunch) => [
  '-C',
  request.repo,
  'worktree',
  'add',
  '--quiet',
  '-b',
  request.branch,
  request.worktree,
  `refs/heads/${request.base}`,
];

/**
 * The common case, a new stage: one git call, and safe beside others like
 * it. Undefined when the folder is there or the add failed (the branch is
 * there: the stage has history; a registration is stale): carefulWorktree.
 */
async function freshWorktree(request: HostLaunch): Promise<HostLaunched['outcome'] | undefined> {
  if (existsSync(request.worktree)) return undefined;
  mkdirSync(path.dirname(request.worktree), { recursive: true });
  return (await succeeds(freshArgs(request))) ? 'created' : undefined;
}

/** Finds out what is there and acts on it; reads every worktree's files, so never beside another add. */
async function carefulWorktree(request: HostLaunch): Promise<HostLaunched['outcome']> {
  const { repo, worktree, branch } = request;
  if (existsSync(worktree)) {
    if (await registered(repo, worktree)) return 'existing';
    // A folder left by a removal cut short is not a worktree git knows: cleared first.
    rmSync(worktree, { recursive: true, force: true });
  }
  await git(['-C', repo, 'worktree', 'prune']);
  const hasBranch = await succeeds(['-C', repo, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
  await git(hasBranch ? ['-C', repo, 'worktree', 'add', '--quiet', worktree, branch] : freshArgs(request));
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

/**
 * The bases into the clone, from their bundles (git checks each: its
 * prerequisites must be there, its objects whole), then the starts. A base
 * that cannot be fetched fails every start, which says why.
 */
export async function launchBatch(batch: HostLaunchBatch): Promise<HostLaunchResult[]> {
  try {
    for (const base of batch.bases) await fetchBundle(batch.repo, base);
  } catch (error) {
    const why = `the base could not be brought in: ${failure(error)}`;
    return batch.launches.map(() => ({ error: why }));
  }
  return launchAllHere(batch.launches);
}

async function fetchBundle(repo: string, base: BaseBundle): Promise<void> {
  const ref = `refs/heads/${base.branch}`;
  const tip = async () =>
    (await git(['-C', repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  if ((await tip()) === base.commit) return;
  const file = path.join(repo, `flux-base-${process.pid}.bundle`);
  writeFileSync(file, Buffer.from(base.data, 'base64'));
  try {
    await git(['-C', repo, 'fetch', '--quiet', '--no-write-fetch-head', file, `+${ref}:${ref}`]).catch(
      async (error: unknown) => {
        // A launch beside this one may have brought the same base in (and held the ref's lock).
        if ((await tip()) !== base.commit) throw error;
      },
    );
    const now = await tip();
    if (now !== base.commit) throw new Error(`${ref} is at ${now || 'nothing'}, not ${base.commit}`);
  } finally {
    rmSync(file, { force: true });
  }
}

function failure(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  return typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : (error as Error).message;
}

/**
 * Several starts, each answering for itself. New worktrees are added side by
 * side, as starts here are; then the others one at a time (attaching a
 * branch or checking a registration reads every worktree's files, and one
 * being added beside it is half there); then the files and the tmux
 * sessions, side by side.
 */
async function launchAllHere(requests: readonly HostLaunch[]): Promise<HostLaunchResult[]> {
  const answer = (error: unknown): HostLaunchResult => ({ error: failure(error) });
  const outcomes: (HostLaunched['outcome'] | HostLaunchResult | undefined)[] = await Promise.all(
    requests.map((request) => freshWorktree(request).catch(answer)),
  );
  for (const [i, request] of requests.entries())
    if (outcomes[i] === undefined) outcomes[i] = await carefulWorktree(request).catch(answer);
  return Promise.all(
    requests.map(async (request, i): Promise<HostLaunchResult> => {
      const outcome = outcomes[i]!;
      if (typeof outcome !== 'string') return outcome;
      try {
        linkWork(request);
        writeFiles(request);
        if (request.start !== undefined) await start(request);
        return { outcome };
      } catch (error) {
        return answer(error);
      }
    }),
  );
}
