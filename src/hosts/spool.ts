/**
 * The host's spool (docs/hosts.md, "How a host's calls reach the log"): a
 * call an agent makes on a host is one request file in `<work>/spool/`,
 * named `<ms>-<id>.json` so that names sort by the time of the call, and its
 * answer comes back as `<work>/replies/<id>.json`. Both are written whole
 * (tmp + fsync + rename, then the folder fsynced): a reader never sees half
 * a file, and a file that is there survives a crash of the host.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeFileAtomic } from '../log/durable.js';
import type { RelayReply, RelayRequest } from './protocol.js';
import { parseJson, parseReply } from './shape.js';

export const SPOOL_DIR_NAME = 'spool';
export const REPLIES_DIR_NAME = 'replies';

/** `0001767225600000-<uuid>.json`: the call's time in ms (13 digits, so names sort by it), then its id. */
export const REQUEST_FILE = /^(\d{13})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;

export function spoolDir(workDir: string): string {
  return path.join(workDir, SPOOL_DIR_NAME);
}

export function repliesDir(workDir: string): string {
  return path.join(workDir, REPLIES_DIR_NAME);
}

export function requestFileName(ms: number, id: string): string {
  return `${String(ms).padStart(13, '0')}-${id}.json`;
}

/** The id a request file's name carries; null for anything else (a temporary file, a stray). */
export function idOfRequestFile(name: string): string | null {
  return REQUEST_FILE.exec(name)?.[2] ?? null;
}

/** Written whole and durable: tmp + fsync + rename, then the folder, so the new name survives a crash too. */
export function writeDurably(file: string, text: string): void {
  writeFileAtomic(file, text);
  fsyncDir(path.dirname(file));
}

/** The request files waiting in the spool, oldest first. */
export function pendingRequestFiles(spool: string): string[] {
  let names: string[];
  try {
    names = readdirSync(spool);
  } catch {
    return [];
  }
  return names.filter((name) => REQUEST_FILE.test(name)).sort();
}

/** Puts a request into the spool; returns its file. */
export function spoolRequest(workDir: string, request: RelayRequest): string {
  const file = path.join(spoolDir(workDir), requestFileName(Date.parse(request.at), request.id));
  writeDurably(file, `${JSON.stringify(request)}\n`);
  return file;
}

export function replyFile(workDir: string, id: string): string {
  return path.join(repliesDir(workDir), `${id}.json`);
}

/** The reply to `id` if it has come (and is whole), removed as it is taken; null while there is none. */
export function takeReply(workDir: string, id: string): RelayReply | null {
  const file = replyFile(workDir, id);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  rmSync(file, { force: true });
  const reply = parseReply(parseJson(text));
  if (typeof reply === 'string') throw new Error(`${file}: not a reply (${reply})`);
  return reply;
}

/**
 * Removes the files of `dir` last changed more than `maxAgeMs` ago: replies
 * nobody waits for any more, and the temporary files of a writer killed
 * half-way (they start with `.` and end in `.tmp`).
 */
export function removeOlderThan(
  dir: string,
  maxAgeMs: number,
  which: (name: string) => boolean = () => true,
  now = Date.now(),
): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names.filter(which)) {
    const file = path.join(dir, name);
    try {
      const stat = statSync(file);
      if (stat.isFile() && now - stat.mtimeMs > maxAgeMs) {
        rmSync(file, { force: true });
        removed.push(name);
      }
    } catch {
      // Gone meanwhile: nothing to remove.
    }
  }
  return removed;
}

/** The temporary files of an interrupted write in the spool (never a request: those are kept until acknowledged). */
export function isTemporaryFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}
