/**
 * What the operating system says about processes: who a process's parent
 * is, and which processes carry a given environment variable.
 *
 * Linux answers through /proc, read synchronously (a few small files per
 * question, and `process.on('exit')` handlers can only run synchronous code).
 * Elsewhere the parent chain comes from one `ps` call, and there is no
 * environment scan: `processesWithEnv` finds nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { runTool } from './exec.js';

/** Longer chains than this are a loop in what was read (a pid reused mid-walk), not real ancestry. */
const MAX_DEPTH = 128;

export function hasProc(): boolean {
  return existsSync('/proc/self/stat');
}

export interface ProcStat {
  pid: number;
  ppid: number;
  /** The process group. */
  pgrp: number;
  /** R, S, D, Z (a zombie: exited, not yet reaped), … */
  state: string;
  /** The executable's name, at most 15 characters (`tmux: server`, `node`). */
  comm: string;
}

/**
 * One line of /proc/<pid>/stat: `pid (comm) state ppid pgrp …`. The name can
 * hold spaces and parentheses, so the fields are read after the last `)`.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return null;
  const [state = '', ppid = '', pgrp = ''] = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isInteger(pid) || state === '' || !/^\d+$/.test(ppid) || !/^\d+$/.test(pgrp)) return null;
  return { pid, ppid: Number(ppid), pgrp: Number(pgrp), state, comm: text.slice(open + 1, close) };
}

/** /proc/<pid>/stat, or null when the process is gone (or /proc is not there). */
export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Running, and not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/**
 * The environment a process started with (/proc/<pid>/environ), as
 * `NAME=value` strings; null when it cannot be read (gone, another user's,
 * or no /proc). A process changing its own environment later does not show here.
 */
export function readEnviron(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .filter((entry) => entry !== '');
  } catch {
    return null;
  }
}

/** The chain from `pid` up: `[pid, parent, grandparent, …]`, ending below pid 0 (init, 1, is included). */
export function chainFrom(pid: number, parentOf: (pid: number) => number | null): number[] {
  const chain: number[] = [];
  const seen = new Set<number>();
  for (let current: number | null = pid; current !== null && current > 0; current = parentOf(current)) {
    if (seen.has(current) || chain.length >= MAX_DEPTH) break;
    seen.add(current);
    chain.push(current);
  }
  return chain;
}

/** `ps -A -o pid= -o ppid=` read into pid → parent pid. */
export function parsePsTable(text: string): Map<number, number> {
  const parents = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (match !== null) parents.set(Number(match[1]), Number(match[2]));
  }
  return parents;
}

/**
 * `pid` and its ancestors, nearest first. Null when the system says nothing
 * (neither /proc nor a working `ps`).
 */
export async function ancestry(pid: number = process.pid): Promise<number[] | null> {
  if (hasProc()) return chainFrom(pid, (p) => readStat(p)?.ppid ?? null);
  const result = await runTool('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], {
    missingHint: 'ps is part of every POSIX system (procps on Linux)',
  }).catch(() => null);
  if (result === null || result.exitCode !== 0) return null;
  const parents = parsePsTable(result.stdout);
  if (!parents.has(pid)) return null;
  return chainFrom(pid, (p) => parents.get(p) ?? null);
}

/** Every live process (not a zombie) whose starting environment has `name=value`, on Linux. */
export function processesWithEnv(name: string, value: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const wanted = `${name}=${value}`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    // A zombie's environment reads empty, so exited processes never match.
    if (readEnviron(pid)?.includes(wanted) === true) found.push(pid);
  }
  return found;
}
