/**
 * `flux run [--stage <id>] [--manual] [--max-parallel <n>]`: reconcile, start
 * every ready stage up to the limit, and watch until nothing can move without
 * a person. Ctrl+C stops watching only; the sessions keep running in tmux and
 * `flux run` picks everything up again.
 */
import { Monitor } from '../../engine/monitor.js';
import { Runtime } from '../../engine/runtime.js';
import { requireStage } from '../../engine/lookup.js';
import { UsageError } from '../../errors.js';
import { LiveView, LogView } from '../run-view.js';
import { prepareManual } from '../run-manual.js';

interface RunOptions {
  stage?: string;
  manual?: boolean;
  maxParallel?: number;
}

export async function run(options: RunOptions): Promise<number> {
  const live = process.stdout.isTTY === true;
  const view = live ? new LiveView() : new LogView();
  const runtime = Runtime.open(undefined, { onNote: (text) => view.note(text) });
  const maxParallel = options.maxParallel ?? runtime.config.run.max_parallel;
  if (!Number.isInteger(maxParallel) || maxParallel < 1)
    throw new UsageError('--max-parallel takes a whole number of 1 or more');
  const state = runtime.engine.load();
  if (options.stage !== undefined) requireStage(state, options.stage);
  runtime.baseBranch(state);
  runtime.checkAgent();
  if (runtime.config.run.agent !== 'sim') await runtime.tmux.isInstalled();

  if (options.manual === true)
    return prepareManual(runtime, {
      maxParallel,
      ...(options.stage === undefined ? {} : { only: options.stage }),
    });

  await runtime.tmux.isInstalled();
  const monitor = new Monitor(
    runtime,
    { maxParallel, ...(options.stage === undefined ? {} : { only: options.stage }) },
    view,
  );
  const interrupt = () => monitor.stop();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const end = await monitor.run();
    return end === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
