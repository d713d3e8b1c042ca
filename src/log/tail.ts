/**
 * Reading the end of the log backwards, so that an append (or a snapshot
 * check) costs the same on a log of ten events and of a million.
 */
import fs from 'node:fs';

const NEWLINE = 0x0a;
const CHUNK_BYTES = 8 * 1024;

/** The offset just past the last `\n` before `end`; 0 when there is none. */
export function completeEnd(fd: number, end: number): number {
  let chunkEnd = end;
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(end, 1)));
  while (chunkEnd > 0) {
    const chunkStart = Math.max(0, chunkEnd - chunk.length);
    const length = readAt(fd, chunk, chunkStart, chunkEnd - chunkStart);
    const index = chunk.subarray(0, length).lastIndexOf(NEWLINE);
    if (index >= 0) return chunkStart + index + 1;
    chunkEnd = chunkStart;
  }
  return 0;
}

/**
 * The bytes of the line whose `\n` is the byte before `end` (without the
 * `\n`), and where that line starts.
 */
export function lineEndingAt(fd: number, end: number): { start: number; bytes: Buffer } {
  const lineEnd = end - 1;
  const start = completeEnd(fd, lineEnd);
  const bytes = Buffer.allocUnsafe(lineEnd - start);
  readAt(fd, bytes, start, bytes.length);
  return { start, bytes };
}

/** The single byte at `offset`, or undefined past the end. */
export function byteAt(fd: number, offset: number): number | undefined {
  const one = Buffer.allocUnsafe(1);
  return readAt(fd, one, offset, 1) === 1 ? one[0] : undefined;
}

/** Reads up to `length` bytes at `position`, looping over short reads; returns how many it got. */
export function readAt(fd: number, into: Buffer, position: number, length: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, into, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function isNewline(byte: number | undefined): boolean {
  return byte === NEWLINE;
}
