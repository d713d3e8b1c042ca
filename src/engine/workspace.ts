/**
 * Where Flux keeps its files: `.work/` in the main worktree of the repository.
 * Stage worktrees carry a `.work` link to it, so every command (and every
 * hook of every agent) finds the same workspace from wherever it runs.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { NotInitializedError } from '../errors.js';
import { logPathIn } from '../log/paths.js';
import { CONFIG_FILE_NAME, WORK_DIR_NAME } from '../paths.js';

export interface Workspace {
  /** The main worktree's root. */
  root: string;
  /** `<root>/.work`, resolved through links. */
  workDir: string;
  logPath: string;
  configPath: string;
}

export function workspaceAt(root: string): Workspace {
  const workDir = path.join(root, WORK_DIR_NAME);
  return {
    root,
    workDir,
    logPath: logPathIn(workDir),
    configPath: path.join(workDir, CONFIG_FILE_NAME),
  };
}

/** The workspace containing `cwd`, found by walking up to a `.work` with an event log. */
export function findWorkspace(cwd: string = process.cwd()): Workspace {
  const start = path.resolve(cwd);
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, WORK_DIR_NAME);
    if (existsSync(logPathIn(candidate))) {
      const workDir = realpathSync(candidate);
      return workspaceAt(path.dirname(workDir));
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new NotInitializedError(
        path.join(start, WORK_DIR_NAME),
        insideGitRepository(start)
          ? undefined
          : `${start} is not inside a git repository: Flux works in one. cd into your project's repository (or make one with \`git init\` and a first commit), then \`flux init <plan-path>\``,
      );
    }
    dir = parent;
  }
}

/** Whether `dir` is in a git repository: a `.git` (directory or file) here or above, or GIT_DIR set. */
function insideGitRepository(dir: string): boolean {
  if (process.env.GIT_DIR !== undefined && process.env.GIT_DIR !== '') return true;
  for (let at = dir; ; at = path.dirname(at)) {
    if (existsSync(path.join(at, '.git'))) return true;
    if (path.dirname(at) === at) return false;
  }
}

/** The directories `flux init` creates under `.work/` (the layout of the README). */
export const WORK_SUBDIRS = [
  'stages',
  'sessions',
  'signals',
  'handoffs',
  'worktrees',
  'logs',
  'cache',
] as const;
