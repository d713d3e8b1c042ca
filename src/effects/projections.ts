/**
 * Writes the projections `src/engine/projections.ts` renders: only files whose
 * content changed, each atomically (temp file + rename) so a reader never
 * sees half a file. Stage and session files of things no longer in the state
 * are removed; nothing else under `.work/` is touched.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
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
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, content);
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
