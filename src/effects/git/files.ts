/** Paths as git reports them: absolute, links resolved; Flux's own directories left out of listings. */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { WORK_DIR_NAME, WORKTREES_DIR_NAME } from '../../paths.js';

export async function pathExists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Absolute with symlinks resolved, also for paths that do not exist yet (git reports real paths). */
export async function canonicalPath(p: string): Promise<string> {
  const absolute = path.resolve(p);
  try {
    return await realpath(absolute);
  } catch {
    const parent = path.dirname(absolute);
    if (parent === absolute) return absolute;
    return path.join(await canonicalPath(parent), path.basename(absolute));
  }
}

export function isFluxPath(relative: string): boolean {
  return [WORK_DIR_NAME, WORKTREES_DIR_NAME].some(
    (dir) => relative === dir || relative.startsWith(`${dir}/`),
  );
}

export function listFiles(files: readonly string[], limit = 10): string {
  const shown = files.slice(0, limit).join(', ');
  return files.length > limit ? `${shown} and ${files.length - limit} more` : shown;
}
