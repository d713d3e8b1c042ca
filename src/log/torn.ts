/**
 * Keeping the bytes of a torn tail. They are an append that never finished,
 * so no caller was told it happened; they are still kept, in
 * `.work/logs/torn-<time>.txt`, in case someone needs to look.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeFully } from './durable.js';
import { logsDirFor } from './paths.js';

/** Writes the bytes durably and returns the file's path. */
export function saveTornBytes(logPath: string, bytes: Buffer, at: Date): string {
  const dir = logsDirFor(logPath);
  fs.mkdirSync(dir, { recursive: true });
  const stem = `torn-${at.toISOString().replaceAll(':', '-')}`;
  for (let attempt = 0; ; attempt += 1) {
    const file = path.join(dir, attempt === 0 ? `${stem}.txt` : `${stem}-${attempt}.txt`);
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      writeFully(fd, bytes);
      fs.fsyncSync(fd);
    } catch (err) {
      // A half-written copy is worse than none: the bytes are still in the log.
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    fsyncDir(dir);
    return file;
  }
}
