/**
 * `flux supervise` (started by Flux, not by people): the supervisor. It runs
 * the monitor in the background until every stage is merged or it is
 * stopped (`flux stop`, SIGTERM), and writes what it does to
 * `.work/logs/supervisor.log` (its stdout). One per workspace: a second one
 * finds the monitor lock held and exits 3.
 */
import { Monitor } from '../../engine/monitor.js';
import { Runtime } from '../../engine/runtime.js';
import { clearSupervisor, FLUX_VERSION, SUPERVISOR_LOG, writeSupervisor } from '../../engine/supervisor.js';
import { LogView } from '../run-view.js';

export async function run(): Promise<number> {
  const view = new LogView();
  const runtime = Runtime.open(undefined, { onNote: (text) => view.note(text) });
  const ws = runtime.engine.ws;
  const monitor = new Monitor(
    runtime,
    {
      maxParallel: runtime.config.run.max_parallel,
      untilMerged: true,
      onLocked: () => {
        writeSupervisor(ws, {
          pid: process.pid,
          since: new Date().toISOString(),
          version: FLUX_VERSION,
          log: SUPERVISOR_LOG,
        });
        view.note(`supervisor ${process.pid} watching ${ws.root}`);
      },
    },
    view,
  );
  const stop = () => monitor.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Detached from any terminal; a hang-up (if one still arrives) is no reason to stop.
  process.on('SIGHUP', () => undefined);
  try {
    const end = await monitor.run();
    view.note(`supervisor ${process.pid} ends (${end === 'settled' ? 'every stage is merged' : 'stopped'})`);
    return 0;
  } finally {
    clearSupervisor(ws);
  }
}
