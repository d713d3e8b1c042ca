/**
 * Where the log's companion files live, all derived from the log's own path
 * so that a test (or a second workspace) can point the log anywhere.
 */
import path from 'node:path';

export const LOG_FILE_NAME = 'events.jsonl';

/** `.work/events.jsonl` inside a workspace directory. */
export function logPathIn(workDir: string): string {
  return path.join(workDir, LOG_FILE_NAME);
}

/** `.work/events.lock`: serialises every append to the log. */
export function lockPathFor(logPath: string): string {
  const base = path.basename(logPath, path.extname(logPath));
  return path.join(path.dirname(logPath), `${base}.lock`);
}

/** `.work/logs/`: where bytes cut from a torn tail are kept. */
export function logsDirFor(logPath: string): string {
  return path.join(path.dirname(logPath), 'logs');
}

/** `.work/cache/snapshot.json`: the disposable folded-state cache. */
export function snapshotPathFor(logPath: string): string {
  return path.join(path.dirname(logPath), 'cache', 'snapshot.json');
}
