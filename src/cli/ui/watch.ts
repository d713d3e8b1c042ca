/**
 * Knowing when the log grows, without polling: an fs.watch on `.work/` for
 * changes to `events.jsonl` (appends from the agents' hooks, a monitor, or
 * the dashboard's own keys), coalesced so a burst of appends is one redraw,
 * at most `delayMs` after the first. Where fs.watch is not available it
 * falls back to polling the file's size.
 */
import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import path from 'node:path';

export const LOG_FILE = 'events.jsonl';

export interface LogWatcher {
  close(): void;
}

export function watchLog(workDir: string, onAppend: () => void, delayMs = 4): LogWatcher {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (): void => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onAppend();
    }, delayMs);
  };
  const logPath = path.join(workDir, LOG_FILE);
  let watcher: FSWatcher | undefined;
  let polling = false;
  const poll = (): void => {
    if (polling) return;
    polling = true;
    watchFile(logPath, { interval: 500 }, (now, before) => {
      if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) schedule();
    });
  };
  try {
    watcher = watch(workDir, { persistent: true }, (_event, filename) => {
      // Some platforms do not say which file changed: then any change may be an append.
      if (filename === null || filename === LOG_FILE) schedule();
    });
    watcher.on('error', () => {
      watcher?.close();
      poll();
    });
  } catch {
    poll();
  }
  return {
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      watcher?.close();
      if (polling) unwatchFile(logPath);
    },
  };
}
