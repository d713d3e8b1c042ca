/**
 * Moving branches between this repository and a host's clone with git's own
 * transport over ssh. git runs ssh through GIT_SSH, a program (no shell line):
 * a small script of Flux's per host, which execs ssh with the host's argv
 * (BatchMode, the host-key rule, its options, the shared connection).
 *
 * This repository holds the truth: before a stage starts on a host, the base
 * and the branch go there; what the agent commits there comes back before
 * anything reads the branch here (`flux done`, `flux verify`, the merge
 * queue). What comes back lands first in `refs/flux/hosts/<host>/<branch>`,
 * and the branch moves only forward to it: a host never rewrites work here.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExternalError } from '../../errors.js';
import { gitOutput, runGit } from '../git/run.js';
import { shellJoin } from '../tmux.js';
import { sshArgs } from '../ssh/argv.js';
import type { HostTarget } from './call.js';
import { HostUnreachableError } from './call.js';

/** Writes `<workDir>/hosts/<name>/ssh` and returns git's environment for the host. */
export function gitSshEnv(workDir: string, host: HostTarget): Record<string, string> {
  const args = sshArgs(host);
  // The target is the last argument; git names it itself, from the URL.
  args.pop();
  const file = path.join(workDir, 'hosts', host.name, 'ssh');
  const script = `#!/bin/sh\nexec ${shellJoin(['ssh', ...args])} "$@"\n`;
  // Written only when it changes, and by rename: a git running it meanwhile must never
  // exec a file half-written (ETXTBSY, "Text file busy").
  if (!existsSync(file) || readFileSync(file, 'utf8') !== script) {
    mkdirSync(path.dirname(file), { recursive: true });
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, script, { mode: 0o755 });
    chmodSync(part, 0o755);
    renameSync(part, file);
  }
  return { GIT_SSH: file, GIT_SSH_VARIANT: 'ssh' };
}

/** git's scp-like address of the host's clone. */
export function hostUrl(host: HostTarget, repo: string): string {
  return `${host.ssh}:${repo}`;
}

export function sideRef(host: string, branch: string): string {
  return `refs/flux/hosts/${host}/${branch}`;
}

/** git's words when ssh, not git, failed: the host is unreachable, not the branch wrong. */
function failIfUnreachable(host: HostTarget, stderr: string): void {
  if (
    /Could not read from remote repository|ssh: |Host key verification failed|Permission denied/.test(stderr)
  )
    throw new HostUnreachableError(host.name, stderr.trim().split('\n').at(-1) ?? 'git over ssh failed');
}

export interface Transport {
  root: string;
  env: Record<string, string>;
  host: HostTarget;
  url: string;
}

/** Branches as they are here go to the host (the base; a stage's branch that has history). */
export async function pushRefs(t: Transport, branches: readonly string[]): Promise<void> {
  const refspecs = branches.map((branch) => `+refs/heads/${branch}:refs/heads/${branch}`);
  const result = await runGit(['push', '--quiet', '--no-verify', t.url, ...refspecs], {
    cwd: t.root,
    env: t.env,
  });
  if (result.exitCode !== 0) {
    failIfUnreachable(t.host, result.stderr);
    throw new ExternalError(
      `could not push ${branches.join(', ')} to ${t.host.name}: ${result.stderr.trim()}`,
    );
  }
}

/**
 * The host's branch comes back: into its side ref, then the branch here
 * moves forward to it. Returns the branch's commit here; null when the
 * host has no such branch (yet).
 */
export async function fetchStage(t: Transport, branch: string): Promise<string | null> {
  const side = sideRef(t.host.name, branch);
  const result = await runGit(
    ['fetch', '--quiet', '--no-write-fetch-head', t.url, `+refs/heads/${branch}:${side}`],
    {
      cwd: t.root,
      env: t.env,
    },
  );
  if (result.exitCode !== 0) {
    if (/couldn't find remote ref/.test(result.stderr)) return null;
    failIfUnreachable(t.host, result.stderr);
    throw new ExternalError(`could not fetch ${branch} from ${t.host.name}: ${result.stderr.trim()}`);
  }
  const there = await gitOutput(['rev-parse', '--verify', `${side}^{commit}`], { cwd: t.root });
  const here = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
    cwd: t.root,
  });
  if (here.exitCode !== 0) {
    await gitOutput(['update-ref', `refs/heads/${branch}`, there], { cwd: t.root });
    return there;
  }
  const current = here.stdout.trim();
  if (current === there) return current;
  const forward = await runGit(['merge-base', '--is-ancestor', current, there], { cwd: t.root });
  if (forward.exitCode !== 0) return current;
  await gitOutput(['update-ref', `refs/heads/${branch}`, there, current], { cwd: t.root });
  return there;
}

/** After the merge, the ref that brought the branch back goes too. */
export async function dropSideRef(root: string, host: string, branch: string): Promise<void> {
  await runGit(['update-ref', '-d', sideRef(host, branch)], { cwd: root });
}
