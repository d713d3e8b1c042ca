/** Temporary workspaces and sample events for the log tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { FluxEvent, NewEvent } from '../../src/log/events.js';
import { logPathIn } from '../../src/log/paths.js';

const made: string[] = [];

/** A fresh `.work/`-like directory, removed after each test. */
export function tempWorkDir(base = os.tmpdir()): { workDir: string; logPath: string } {
  const workDir = fs.mkdtempSync(path.join(base, 'flux-log-'));
  made.push(workDir);
  return { workDir, logPath: logPathIn(workDir) };
}

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export const FIXED_NOW = () => new Date('2025-01-02T03:04:05.678Z');

export function working(session: string): NewEvent {
  return { type: 'session.working', session };
}

export function blocked(stage: string, reason: string): NewEvent {
  return { type: 'stage.blocked', stage, reason };
}

/** A stored event line as the appender writes it. */
export function line(seq: number, event: NewEvent = working('s1'), at = FIXED_NOW().toISOString()): string {
  return `${JSON.stringify({ v: 1, seq, at, ...event })}\n`;
}

export function writeLines(logPath: string, ...lines: string[]): void {
  fs.writeFileSync(logPath, lines.join(''));
}

export function payloads(events: readonly FluxEvent[]): unknown[] {
  return events.map(({ v: _v, seq: _seq, at: _at, ...rest }) => rest);
}

export function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
