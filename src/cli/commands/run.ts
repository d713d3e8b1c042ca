/**
 * `flux run [--detach] [--stage <id>] [--manual] [--max-parallel <n>]`.
 *
 * The supervisor (`flux supervise`, in the background) carries the plan:
 * `flux run` starts it if none runs and watches it work; `--detach` starts
 * it and returns. On a terminal (stdin and stdout) with a person at it, the
 * watching is the dashboard (`flux ui`, docs/ui.md): quitting it leaves the
 * supervisor running. Otherwise (a terminal an agent session runs in, or
 * output to a file) it is the live view or the log lines, until nothing can
 * move without a person; Ctrl+C stops watching, the supervisor goes on. Without a terminal (scripts, CI), or with
 * FLUX_SUPERVISOR=off, `flux run` is the monitor itself, in the foreground:
 * it watches while any session is alive and returns when nothing can move
 * without a person. Either way the sessions run in tmux and survive it.
 */
import { Monitor } from '../../engine/monitor.js';
import { Runtime } from '../../engine/runtime.js';
import { requireStage } from '../../engine/lookup.js';
import { ensureSupervisor, supervisorAllowed } from '../../engine/runtime/supervisor.js';
import { readSupervisor } from '../../engine/supervisor.js';
import { supervisorHasWork } from '../../engine/supervisor.js';
import { ExitCode, RefusedError, UsageError } from '../../errors.js';
import { follow } from '../follow.js';
import { refuseInsideAgent } from '../human-only.js';
import { print } from '../output.js';
import { LiveView, LogView } from '../run-view.js';
import { prepareManual } from '../run-manual.js';

interface RunOptions {
  stage?: string;
  manual?: boolean;
  maxParallel?: number;
  detach?: boolean;
}

/**
 * Whether to watch with the dashboard: stdin and stdout are a terminal and a
 * person is at it. Its keys record a person's decisions, so it is for those
 * who pass the human-only check; an agent session's terminal (or one Flux
 * cannot tell about) gets the live view, which decides nothing.
 */
async function dashboardWanted(): Promise<boolean> {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) return false;
  try {
    await refuseInsideAgent('flux run');
    return true;
  } catch (error) {
    if (error instanceof RefusedError) return false;
    throw error;
  }
}

/** The dashboard on this terminal until it is quit; then what goes on without it. */
async function watchWithDashboard(runtime: Runtime, only: string | undefined): Promise<number> {
  const { startDashboard } = await import('../ui/start.js');
  const code = await startDashboard(runtime, only === undefined ? {} : { select: only });
  const supervisor = readSupervisor(runtime.engine.ws);
  if (supervisor.running) print(`The supervisor goes on (pid ${supervisor.pid}): \`flux stop\` stops it.`);
  else if (!supervisorHasWork(runtime.engine.load())) print('Every stage is merged.');
  else print('The supervisor is not running: `flux run` starts it again.');
  return code;
}

export async function run(options: RunOptions): Promise<number> {
  const live = process.stdout.isTTY === true;
  const view = live ? new LiveView() : new LogView();
  /** Off while the dashboard has the screen: it shows what the notes say from the log. */
  let noting = true;
  const runtime = Runtime.open(undefined, {
    onNote: (text) => {
      if (noting) view.note(text);
    },
  });
  if (view instanceof LiveView) view.bell = runtime.config.notify.bell;
  const maxParallel = options.maxParallel ?? runtime.config.run.max_parallel;
  if (!Number.isInteger(maxParallel) || maxParallel < 1)
    throw new UsageError('--max-parallel takes a whole number of 1 or more');
  const state = runtime.engine.load();
  if (options.stage !== undefined) requireStage(state, options.stage);
  runtime.baseBranch(state);
  runtime.checkAgent();
  await runtime.checkHosts();
  if (runtime.config.run.agent !== 'sim') await runtime.tmux.isInstalled();

  if (options.manual === true)
    return prepareManual(runtime, {
      maxParallel,
      ...(options.stage === undefined ? {} : { only: options.stage }),
    });

  await runtime.tmux.isInstalled();
  if (options.detach === true) {
    if (options.stage !== undefined || options.maxParallel !== undefined)
      throw new UsageError(
        '--detach takes no --stage or --max-parallel',
        'the supervisor runs every stage, up to run.max_parallel',
      );
    const supervisor = await ensureSupervisor(runtime);
    print(
      `${supervisor.started ? 'Started the supervisor' : 'The supervisor is already running'} (pid ${supervisor.pid}, since ${supervisor.since}).`,
    );
    print('Watch it with `flux ui` (or `flux status`); stop it with `flux stop`.');
    return ExitCode.ok;
  }
  const supervised = readSupervisor(runtime.engine.ws).running || (live && supervisorAllowed());
  if (supervised) {
    const dashboard = await dashboardWanted();
    const supervisor = await ensureSupervisor(runtime);
    if (dashboard) {
      noting = false;
      return watchWithDashboard(runtime, options.stage);
    }
    if (supervisor.started) view.note(`started the supervisor (pid ${supervisor.pid})`);
    const end = await follow(runtime, view, options.stage === undefined ? {} : { only: options.stage });
    if (end === 'interrupted')
      print(`The supervisor goes on (pid ${supervisor.pid}): \`flux stop\` stops it.`);
    return end === 'interrupted' ? 130 : 0;
  }
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
