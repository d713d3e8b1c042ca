/**
 * A throwaway git repository for integration tests: `main` with one commit,
 * its own identity, and no signing, so tests never depend on the user's config.
 */
import { mkdtemp, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface TempRepo {
  /** The main worktree (symlinks resolved). */
  root: string;
  /** Runs git in `cwd` (default: the root) and returns trimmed stdout; throws on failure. */
  git(args: readonly string[], cwd?: string): Promise<string>;
  /** Writes a file, creating directories; `cwd` defaults to the root. */
  write(file: string, content: string, cwd?: string): Promise<void>;
  /** Writes the files, stages everything and commits; returns the new commit id. */
  commit(message: string, files?: Record<string, string>, cwd?: string): Promise<string>;
  /** Removes the repository and everything in it. */
  cleanup(): Promise<void>;
}

/** Keeps the user's global and system git config (hooks, signing, aliases) out of tests. */
export const isolatedGitEnv = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Flux Test',
  GIT_AUTHOR_EMAIL: 'flux-test@example.invalid',
  GIT_COMMITTER_NAME: 'Flux Test',
  GIT_COMMITTER_EMAIL: 'flux-test@example.invalid',
};

/**
 * Applies `isolatedGitEnv` to this process, so the code under test (which runs
 * git with the process environment) sees the same isolation. Call once per test file.
 */
export function isolateGitConfig(): void {
  Object.assign(process.env, isolatedGitEnv);
}

export async function tempRepo(prefix = 'flux-git-'): Promise<TempRepo> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));

  async function git(args: readonly string[], cwd = root): Promise<string> {
    const result = await execa('git', args, { cwd, env: isolatedGitEnv });
    return result.stdout;
  }

  async function write(file: string, content: string, cwd = root): Promise<void> {
    const full = path.join(cwd, file);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content);
  }

  async function commit(message: string, files: Record<string, string> = {}, cwd = root): Promise<string> {
    for (const [file, content] of Object.entries(files)) await write(file, content, cwd);
    await git(['add', '-A'], cwd);
    await git(['commit', '--quiet', '--allow-empty', '-m', message], cwd);
    return git(['rev-parse', 'HEAD'], cwd);
  }

  await git(['init', '--quiet', '--initial-branch=main']);
  await git(['config', 'user.name', 'Flux Test']);
  await git(['config', 'user.email', 'flux-test@example.invalid']);
  await git(['config', 'commit.gpgsign', 'false']);
  await commit('initial commit', { 'README.md': '# test repository\n' });

  return { root, git, write, commit, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A temporary directory that is not a repository. */
export async function tempDir(prefix = 'flux-dir-'): Promise<string> {
  return realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
}
