/**
 * Whether a supervisor process (the monitor running in the background) is
 * carrying the plan: it writes `.work/supervisor.json`, `{pid, since,
 * version}`, while it runs. The file alone proves nothing (a killed
 * supervisor leaves it behind), so the pid is checked too. All of the
 * reading is here, in one place, so the file's shape can change with the
 * supervisor.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SUPERVISOR_FILE = 'supervisor.json';

export type SupervisorStatus =
  | { running: true; pid: number; since: string; version: string }
  | {
      running: false;
      /** Why it is not counted as running, when a file was there: `pid 123 has exited`, `unreadable`. */
      why: string | null;
    };

/** Whether a process with this pid exists (EPERM: it does, someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readSupervisor(
  workDir: string,
  alive: (pid: number) => boolean = pidAlive,
): SupervisorStatus {
  let text: string;
  try {
    text = readFileSync(path.join(workDir, SUPERVISOR_FILE), 'utf8');
  } catch {
    return { running: false, why: null };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { running: false, why: `${SUPERVISOR_FILE} is not JSON` };
  }
  const { pid, since, version } = (raw ?? {}) as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0)
    return { running: false, why: `${SUPERVISOR_FILE} has no pid` };
  if (!alive(pid)) return { running: false, why: `pid ${pid} has exited` };
  return {
    running: true,
    pid,
    since: typeof since === 'string' ? since : '',
    version: typeof version === 'string' ? version : '',
  };
}

/** `supervisor: running (pid 4242, since 10:04)` or `supervisor: not running`. */
export function supervisorLabel(status: SupervisorStatus): string {
  if (!status.running) return 'supervisor: not running';
  const since = Number.isNaN(Date.parse(status.since))
    ? ''
    : `, since ${new Date(status.since).toTimeString().slice(0, 5)}`;
  return `supervisor: running (pid ${status.pid}${since})`;
}
