/** Small fsync helpers: what makes a write survive a crash or power loss. */
import fs from 'node:fs';
import path from 'node:path';
import { uniqueSuffix } from './unique.js';

/** Makes a file's creation, rename or removal in `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes every byte, looping over short writes (rare, but the API allows them). */
export function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done);
  }
}

/**
 * Replaces `file` atomically: readers see the old content or the new one,
 * never a mix, even after a crash (tmp + fsync + rename).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${uniqueSuffix()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx');
    try {
      writeFully(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
