/**
 * Writes the projections `src/engine/projections.ts` renders: only files whose
 * content changed, each atomically (temp file + rename) so a reader never
 * sees half a file. Stage and session files of things no longer in the state
 * are removed; nothing else under `.work/` is touched.
 *
 * Views are written after their events are appended, so a view that cannot
 * be written (a full disk) must not undo or hide the events: the failure is
 * kept for the command to report (takeViewFailure), and a marker file makes
 * the next command that records an event rewrite every view.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { isIoFailure, ViewWriteError } from '../errors.js';

export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (err) {
    // A half-written temporary file would be left in .work/ for good.
    rmSync(tmp, { force: true });
    throw err;
  }
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const PRUNED = [
  { dir: 'stages', ext: '.md' },
  { dir: 'sessions', ext: '.md' },
  { dir: 'worktrees', ext: '.toml' },
];

/** Writes what changed; with `prune`, also removes projection files of things no longer in the state. */
export function syncProjections(workDir: string, files: Map<string, string>, prune = false): number {
  let written = 0;
  for (const [relative, content] of files) {
    const file = path.join(workDir, relative);
    if (readOrNull(file) === content) continue;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, content);
    } catch (err) {
      // A failed write(2) names no file, a failed rename the temporary one: name the view.
      throw Object.assign(err as Error, { path: file });
    }
    written++;
  }
  if (!prune) return written;
  for (const { dir, ext } of PRUNED) {
    let names: string[];
    try {
      names = readdirSync(path.join(workDir, dir));
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.endsWith(ext) && !files.has(`${dir}/${name}`))
        rmSync(path.join(workDir, dir, name), { force: true });
    }
  }
  return written;
}

/** Exists while some view may be out of date: the next write of views rewrites them all. */
export function staleViewsMarker(workDir: string): string {
  return path.join(workDir, 'cache', 'views-stale');
}

let failure: ViewWriteError | null = null;

/** The view failure of this process that no later write of every view has made good; clears it. */
export function takeViewFailure(): ViewWriteError | null {
  const taken = failure;
  failure = null;
  return taken;
}

/**
 * Writes the views after an append. `render(all)` gives the files to write:
 * those the events touched, or every one when `all` (the views are stale, or
 * the events call for it: `prune`). An I/O failure is not thrown: the events
 * stand, so it is kept for takeViewFailure and the views are marked stale.
 */
export function writeViews(
  workDir: string,
  render: (all: boolean) => Map<string, string>,
  prune: boolean,
): void {
  const marker = staleViewsMarker(workDir);
  const stale = existsSync(marker);
  try {
    syncProjections(workDir, render(stale || prune), stale || prune);
  } catch (err) {
    if (!isIoFailure(err)) throw err;
    failure = new ViewWriteError({
      path: err.path ?? workDir,
      cause: err,
      rewritten: stale || markStale(marker),
    });
    return;
  }
  if (!stale) return;
  failure = null;
  try {
    rmSync(marker, { force: true });
  } catch {
    // Left behind, it only costs the next command a full rewrite.
  }
}

/** Creates the (empty) marker; false when even that is impossible. An empty file needs no space for data. */
function markStale(marker: string): boolean {
  try {
    mkdirSync(path.dirname(marker), { recursive: true });
    closeSync(openSync(marker, 'a'));
    return true;
  } catch {
    return false;
  }
}
