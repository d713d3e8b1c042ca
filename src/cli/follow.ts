/**
 * Watching a supervisor work: the log's appends drawn by a run view, until
 * nothing can move without a person (or Ctrl+C). The supervisor acts; this
 * only reads. A supervisor that dies while watched (kill -9) is replaced.
 */
import { watch } from 'chokidar';
import { canMove, type MonitorEnd, type MonitorView } from '../engine/monitor.js';
import type { Runtime } from '../engine/runtime.js';
import { ensureSupervisor } from '../engine/runtime/supervisor.js';
import { readSupervisor, supervisorHasWork } from '../engine/supervisor.js';
import { readLog } from '../log/read.js';

export async function follow(
  rt: Runtime,
  view: MonitorView,
  options: { only?: string } = {},
): Promise<MonitorEnd> {
  const logPath = rt.engine.ws.logPath;
  let offset = readLog(logPath).endOffset;
  let wake: (() => void) | undefined;
  let changed = false;
  let stopped = false;
  const watcher = watch(logPath, { ignoreInitial: true });
  watcher.on('change', () => {
    changed = true;
    wake?.();
  });
  const interrupt = () => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    for (;;) {
      changed = false;
      const read = readLog(logPath, { fromOffset: offset });
      offset = read.endOffset;
      const state = rt.engine.load();
      view.update(state, read.events);
      if (stopped) {
        view.close(state, 'interrupted');
        return 'interrupted';
      }
      const budget = { defaults: rt.config.budget, now: Date.now() };
      if (!canMove(state, options.only, rt.config.run.stop_reminders, budget)) {
        view.close(state, 'settled');
        return 'settled';
      }
      if (!readSupervisor(rt.engine.ws).running && supervisorHasWork(state)) {
        const replaced = await ensureSupervisor(rt);
        view.note(`the supervisor was gone; started another (pid ${replaced.pid})`);
      }
      if (!changed)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await watcher.close();
  }
}
