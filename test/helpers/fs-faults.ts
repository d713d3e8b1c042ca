/**
 * Real file-system faults for tests of what Flux does when a write fails:
 * an immutable file or directory (`chattr +i`, which stops even root) and a
 * full disk (a small tmpfs mounted over a directory). Both need root, and a
 * file system and kernel that allow them, so each has a probe that says why
 * it cannot run here; tests skip themselves with that reason.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** tmpfs hands out space in pages. */
export const PAGE = 4096;

function run(file: string, args: readonly string[]): void {
  execFileSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function reasonOf(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr !== undefined && stderr !== '' ? stderr : (error as Error).message;
}

/** Null when `chattr +i` works in `dir` (it makes a file unwritable even for root); otherwise why not. */
export function immutableUnsupported(dir = os.tmpdir()): string | null {
  if (process.getuid?.() !== 0) return 'needs root for chattr +i';
  const probe = fs.mkdtempSync(path.join(dir, 'flux-chattr-'));
  const file = path.join(probe, 'f');
  fs.writeFileSync(file, 'x');
  try {
    run('chattr', ['+i', file]);
  } catch (error) {
    fs.rmSync(probe, { recursive: true, force: true });
    return `chattr +i does not work in ${dir}: ${reasonOf(error)}`;
  }
  try {
    fs.appendFileSync(file, 'y');
    return `chattr +i in ${dir} does not stop a write`;
  } catch {
    return null;
  } finally {
    run('chattr', ['-i', file]);
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Makes `file` (or a directory) immutable; returns what undoes it. */
export function makeImmutable(file: string): () => void {
  run('chattr', ['+i', file]);
  return () => run('chattr', ['-i', file]);
}

/** Null when a tmpfs can be mounted here; otherwise why not. */
export function tmpfsUnsupported(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-tmpfs-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    run('umount', [probe]);
    return null;
  } catch (error) {
    return `cannot mount a tmpfs: ${reasonOf(error)}`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

export interface SmallDisk {
  /** Leaves exactly `pages` pages free (fills the rest with a filler file). */
  leaveFree(pages: number): void;
  /** Removes the filler: space again. */
  freeAll(): void;
  /** Unmounts, putting back what was in the directory before (and what was written since). */
  unmount(): void;
}

/**
 * Mounts a tmpfs of `sizeKb` over `dir`, with `dir`'s files copied in, so
 * whatever is written there can run out of space. The filler file is
 * `<dir>/.filler`.
 */
export function mountSmallDisk(dir: string, sizeKb = 200): SmallDisk {
  const aside = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-aside-'));
  fs.cpSync(dir, aside, { recursive: true });
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  fs.cpSync(aside, dir, { recursive: true });
  const filler = path.join(dir, '.filler');
  return {
    leaveFree(pages) {
      const fd = fs.openSync(filler, 'w');
      try {
        const chunk = Buffer.alloc(PAGE, 0x2e);
        for (;;) {
          try {
            if (fs.writeSync(fd, chunk) < PAGE) break;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw error;
          }
        }
        const size = fs.fstatSync(fd).size;
        if (size < pages * PAGE)
          throw new Error(`only ${size} bytes could be filled; cannot leave ${pages} pages`);
        fs.ftruncateSync(fd, Math.floor(size / PAGE) * PAGE - pages * PAGE);
      } finally {
        fs.closeSync(fd);
      }
    },
    freeAll() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      fs.rmSync(filler, { force: true });
      const now = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-now-'));
      fs.cpSync(dir, now, { recursive: true });
      run('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(now, dir, { recursive: true });
      fs.rmSync(now, { recursive: true, force: true });
      fs.rmSync(aside, { recursive: true, force: true });
    },
  };
}
