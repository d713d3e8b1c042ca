import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.js';
import { acquireLock, parseHolder, withLock } from '../../src/log/lock.js';
import { captureError, tempWorkDir } from './log-fixtures.js';

function lockPathIn(): string {
  return path.join(tempWorkDir().workDir, 'events.lock');
}

function holderLine(pid: number, at: Date, host = os.hostname()): string {
  return `${pid} ${host} ${at.toISOString()}\n`;
}

/** A lock (or claim) file taken at `at`, by its content and its mtime. */
function writeHolder(file: string, pid: number, at: Date, host = os.hostname()): void {
  fs.writeFileSync(file, holderLine(pid, at, host));
  fs.utimesSync(file, at, at);
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

describe('withLock', () => {
  it('holds a lock file naming this process while fn runs, and removes it after', () => {
    const lockPath = lockPathIn();
    const seen = withLock(lockPath, () => fs.readFileSync(lockPath, 'utf8'));
    expect(parseHolder(seen)).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    expect(seen).toMatch(/^\d+ \S+ \d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('releases when fn throws', () => {
    const lockPath = lockPathIn();
    expect(() =>
      withLock(lockPath, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('turns a nested acquire into an error instead of waiting on itself', () => {
    const lockPath = lockPathIn();
    withLock(lockPath, () => {
      expect(() => withLock(lockPath, () => 1)).toThrow(/already held by this process/);
    });
    expect(withLock(lockPath, () => 2)).toBe(2);
  });

  it('gives up with RefusedError naming the live holder', () => {
    const lockPath = lockPathIn();
    fs.writeFileSync(lockPath, holderLine(process.ppid, new Date()));
    const started = Date.now();
    const error = captureError(() => withLock(lockPath, () => 1, { timeoutMs: 80 }));
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).message).toContain(`pid ${process.ppid}`);
    expect((error as RefusedError).hint).toContain(lockPath);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(fs.existsSync(lockPath)).toBe(true);
  });

  it('waits for a holder in another process to release', async () => {
    const lockPath = lockPathIn();
    const holder = spawn(process.execPath, [
      '-e',
      `const fs = require('fs');
       fs.writeFileSync(${JSON.stringify(lockPath)}, process.pid + ' ' + require('os').hostname() + ' ' + new Date().toISOString() + '\\n', { flag: 'wx' });
       setTimeout(() => fs.unlinkSync(${JSON.stringify(lockPath)}), 300);`,
    ]);
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    while (!fs.existsSync(lockPath)) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    withLock(lockPath, () => {
      expect(parseHolder(fs.readFileSync(lockPath, 'utf8'))?.pid).toBe(process.pid);
    });
    expect(Date.now() - started).toBeGreaterThan(100);
    await exited;
  });

  it('breaks a lock whose holder died', () => {
    const lockPath = lockPathIn();
    fs.writeFileSync(lockPath, holderLine(deadPid(), new Date()));
    expect(withLock(lockPath, () => 'got it', { timeoutMs: 1_000 })).toBe('got it');
    expect(fs.readdirSync(path.dirname(lockPath))).toEqual([]);
  });

  it('breaks a lock older than the staleness limit even if its holder is alive', () => {
    const lockPath = lockPathIn();
    writeHolder(lockPath, process.ppid, new Date(Date.now() - 5_000));
    expect(withLock(lockPath, () => 'got it', { timeoutMs: 200, staleMs: 1_000 })).toBe('got it');
  });

  it('judges age by the later of the written time and the file time', () => {
    const lockPath = lockPathIn();
    // A holder whose clock is behind writes an old time into a fresh file.
    fs.writeFileSync(lockPath, holderLine(process.ppid, new Date(Date.now() - 5_000)));
    expect(() => withLock(lockPath, () => 1, { timeoutMs: 50, staleMs: 1_000 })).toThrow(RefusedError);
  });

  it('breaks a lock taken before this machine booted', () => {
    const lockPath = lockPathIn();
    const beforeBoot = new Date(Date.now() - os.uptime() * 1000 - 60_000);
    writeHolder(lockPath, process.ppid, beforeBoot);
    expect(withLock(lockPath, () => 'got it', { timeoutMs: 200, staleMs: 1e12 })).toBe('got it');
  });

  it("does not judge another host's lock by pid, only by age", () => {
    const lockPath = lockPathIn();
    fs.writeFileSync(lockPath, holderLine(deadPid(), new Date(), 'elsewhere.example'));
    expect(() => withLock(lockPath, () => 1, { timeoutMs: 50 })).toThrow(/on elsewhere\.example/);
    writeHolder(lockPath, deadPid(), new Date(Date.now() - 10_000), 'elsewhere.example');
    expect(withLock(lockPath, () => 'got it', { timeoutMs: 50, staleMs: 5_000 })).toBe('got it');
  });

  it('waits on an empty lock file for a moment, then breaks it', () => {
    const lockPath = lockPathIn();
    fs.writeFileSync(lockPath, '');
    expect(() => withLock(lockPath, () => 1, { timeoutMs: 50 })).toThrow(RefusedError);
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(lockPath, old, old);
    expect(withLock(lockPath, () => 'got it', { timeoutMs: 50 })).toBe('got it');
  });

  it('leaves alone a lock that is no longer its own when releasing', () => {
    const lockPath = lockPathIn();
    const lock = acquireLock(lockPath);
    const other = holderLine(process.ppid, new Date());
    fs.writeFileSync(lockPath, other);
    lock.release();
    expect(fs.readFileSync(lockPath, 'utf8')).toBe(other);
  });
});

describe('parseHolder', () => {
  it('reads pid, hostname and time, and rejects anything else', () => {
    expect(parseHolder('12 host 2025-01-02T03:04:05.678Z\n')).toEqual({
      pid: 12,
      hostname: 'host',
      since: Date.parse('2025-01-02T03:04:05.678Z'),
    });
    expect(parseHolder('')).toBeNull();
    expect(parseHolder('x host 2025-01-02T03:04:05.678Z')).toBeNull();
    expect(parseHolder('12 host yesterday')).toBeNull();
    expect(parseHolder('12 host 2025-01-02T03:04:05.678Z extra')).toBeNull();
  });
});

describe('the claim on the next turn', () => {
  it('makes a newcomer leave a free lock to the waiter that claimed it', () => {
    const lockPath = lockPathIn();
    fs.writeFileSync(`${lockPath}.next`, holderLine(process.ppid, new Date()));
    const error = captureError(() => withLock(lockPath, () => 1, { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).message).toMatch(
      new RegExp(`next turn .* claimed by pid ${process.ppid}`),
    );
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('lapses when its waiter died or after a while', () => {
    const lockPath = lockPathIn();
    fs.writeFileSync(`${lockPath}.next`, holderLine(deadPid(), new Date()));
    expect(withLock(lockPath, () => 'got it', { timeoutMs: 50 })).toBe('got it');
    expect(fs.existsSync(`${lockPath}.next`)).toBe(false);
    writeHolder(`${lockPath}.next`, process.ppid, new Date(Date.now() - 5_000));
    expect(withLock(lockPath, () => 'got it', { timeoutMs: 50 })).toBe('got it');
  });

  it('is taken by a waiter that waited, and removed once it holds the lock', async () => {
    const lockPath = lockPathIn();
    const holder = spawn(process.execPath, [
      '-e',
      `const fs = require('fs');
       fs.writeFileSync(${JSON.stringify(lockPath)}, process.pid + ' ' + require('os').hostname() + ' ' + new Date().toISOString() + '\\n', { flag: 'wx' });
       const timer = setInterval(() => {
         if (!fs.existsSync(${JSON.stringify(lockPath + '.next')})) return;
         clearInterval(timer);
         fs.unlinkSync(${JSON.stringify(lockPath)});
       }, 5);`,
    ]);
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    while (!fs.existsSync(lockPath)) await new Promise((resolve) => setTimeout(resolve, 5));
    withLock(lockPath, () => undefined, { timeoutMs: 5_000 });
    expect(fs.readdirSync(path.dirname(lockPath))).toEqual([]);
    await exited;
  });
});
