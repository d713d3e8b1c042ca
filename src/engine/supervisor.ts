/**
 * The supervisor: one background process per workspace that runs the
 * monitor until every stage is merged or it is stopped (`flux supervise`,
 * started by `flux run`, `flux run --detach` or a human command). This file
 * is what every other process knows of it: its record, `.work/supervisor.json`
 * (`{pid, since, version, log}`, written once it holds the monitor lock,
 * removed when it ends), and whether it is alive.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from './workspace.js';
import { liveSessions, type FluxState } from './state.js';

export const SUPERVISOR_RECORD = 'supervisor.json';
export const SUPERVISOR_LOG = path.join('logs', 'supervisor.log');
/** The version of Flux, for the record (package.json's, set by the build). */
export const FLUX_VERSION = '0.1.0';

export interface SupervisorRecord {
  pid: number;
  /** ISO-8601 UTC time it started. */
  since: string;
  version: string;
  /** Its log, relative to `.work/`. */
  log: string;
}

export type SupervisorState = ({ running: true } & SupervisorRecord) | { running: false };

export function recordPath(ws: Workspace): string {
  return path.join(ws.workDir, SUPERVISOR_RECORD);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The supervisor's record, when one is running (a record left by one killed with -9 is not). */
export function readSupervisor(ws: Workspace): SupervisorState {
  let record: SupervisorRecord;
  try {
    record = JSON.parse(readFileSync(recordPath(ws), 'utf8')) as SupervisorRecord;
  } catch {
    return { running: false };
  }
  if (!Number.isInteger(record.pid) || !isAlive(record.pid)) return { running: false };
  return { running: true, ...record };
}

export function writeSupervisor(ws: Workspace, record: SupervisorRecord): void {
  const file = recordPath(ws);
  const staged = `${file}.${process.pid}.tmp`;
  writeFileSync(staged, JSON.stringify(record, null, 2) + '\n');
  renameSync(staged, file);
}

/** Removes the record if it is this process's own. */
export function clearSupervisor(ws: Workspace, pid = process.pid): void {
  try {
    const record = JSON.parse(readFileSync(recordPath(ws), 'utf8')) as SupervisorRecord;
    if (record.pid === pid) rmSync(recordPath(ws), { force: true });
  } catch {
    // Gone already.
  }
}

/**
 * Whether there is work for a supervisor: a plan stage not merged yet, or a
 * live session (an ad hoc task's too: its handoffs need a monitor).
 */
export function supervisorHasWork(state: FluxState): boolean {
  if (state.order.some((id) => state.stages[id]!.status !== 'merged')) return true;
  return liveSessions(state, { tasks: true }).length > 0;
}
