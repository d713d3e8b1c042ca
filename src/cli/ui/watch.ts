/**
 * Knowing when the log grows, without polling: an fs.watch on `.work/` for
 * changes to `events.jsonl` (appends from the agents' hooks, a monitor, or
 * the dashboard's own keys): the first change is passed on at once (on the
 * next turn of the event loop), and the changes that follow within
 * `delayMs` are coalesced into one more call at its end, so a burst of
 * appends costs two redraws at most. Where fs.watch is not available it
 * falls back to polling the file's size.
 */
import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import path from 'node:path';

export const LOG_FILE = 'events.jsonl';

export interface LogWatcher {
  close(): void;
}

export function watchLog(workDir: string, onAppend: () => void, delayMs = 4): LogWatcher {
  let closed = false;
  let queued = false;
  let cooling: NodeJS.Timeout | undefined;
  let pending = false;
  const fire = (): void => {
    queued = false;
    if (closed) return;
    onAppend();
    cooling = setTimeout(() => {
      cooling = undefined;
      if (pending) {
        pending = false;
        fire();
      }
    }, delayMs);
  };
  const schedule = (): void => {
    if (closed || queued) return;
    if (cooling !== undefined) {
      pending = true;
      return;
    }
    queued = true;
    setImmediate(fire);
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
      if (cooling !== undefined) clearTimeout(cooling);
      watcher?.close();
      if (polling) unwatchFile(logPath);
    },
  };
}
