/**
 * The supervisor as the dashboard's header shows it. What the supervisor
 * is, and whether it runs (its record, `.work/supervisor.json`, and a live
 * pid), is src/engine/supervisor.ts's: the same answer `flux status` gives.
 */
import type { SupervisorState } from '../../engine/supervisor.js';

export type { SupervisorState } from '../../engine/supervisor.js';

/** `supervisor: running (pid 4242, since 10:04)` or `supervisor: not running`. */
export function supervisorLabel(status: SupervisorState): string {
  if (!status.running) return 'supervisor: not running';
  const since = Number.isNaN(Date.parse(status.since))
    ? ''
    : `, since ${new Date(status.since).toTimeString().slice(0, 5)}`;
  return `supervisor: running (pid ${status.pid}${since})`;
}
