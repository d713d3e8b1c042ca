/**
 * Runs the dashboard on this terminal until the person quits: the
 * controller over the real actions, Ink on the alternate screen, a watch on
 * the log for redraws, a one-second clock for elapsed times and the live
 * pane. Keys that need the terminal (attaching, $PAGER) unmount Ink, give
 * the terminal to the child with the event loop blocked (spawnSync, so
 * nothing here reads the keys meant for it), then mount it again.
 */
import { spawnSync } from 'node:child_process';
import { render, type Instance } from 'ink';
import type { Runtime } from '../../engine/runtime.js';
// The terminal bell: it moves no cursor, so it does not disturb Ink's frame.
import { BELL } from '../run-view.js';
import { runtimeActions, type DashboardActions } from './actions.js';
import { App } from './components/App.js';
import { Dashboard, type Shell } from './controller.js';
import { TerminalScreen } from './terminal.js';
import { watchLog } from './watch.js';

/** Colours on a terminal, unless NO_COLOR is set or TERM is dumb (as every Flux command). */
export function colorEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** Stopped from outside: left the way Ctrl+C leaves, with the same exit code (as `flux run`). */
const SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

export interface StartOptions {
  /** Default: the real actions over the runtime. */
  actions?: DashboardActions;
  /** The row selected at first. */
  select?: string;
}

/**
 * [notify] bell: what rings when a person is told they are needed
 * (docs/notify.md; the monitor records the notice, the dashboard rings).
 */
export function bellFor(enabled: boolean, out: { write(text: string): unknown }): (() => void) | undefined {
  return enabled ? () => void out.write(BELL) : undefined;
}

const withBell = (onNotice: (() => void) | undefined) => (onNotice === undefined ? {} : { onNotice });

/** Runs the dashboard until it is quit; resolves to its exit code (0 after q, 130 after Ctrl+C). */
export function startDashboard(runtime: Runtime, options: StartOptions = {}): Promise<number> {
  const actions = options.actions ?? runtimeActions(runtime);
  const { stdout, stdin } = process;
  const screen = new TerminalScreen({ stdout, stdin });
  let instance: Instance | null = null;
  /** Set by quitting: only then does an instance's end end the dashboard (a suspension unmounts it too). */
  let quitting = false;
  let exitCode = 0;
  let finish: (code: number) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<number>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  const shell: Shell = {
    runInTerminal: async (argv) => {
      instance?.unmount();
      instance = null;
      screen.leave();
      const child = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
      screen.enter();
      mount();
      return child.error === undefined ? { status: child.status } : { status: null, error: child.error };
    },
    quit: (code) => {
      quitting = true;
      exitCode = code;
      if (instance === null) finish(code);
      else instance.unmount();
    },
  };
  const dashboard = new Dashboard(actions, shell, {
    size: { columns: stdout.columns || 80, rows: stdout.rows || 24 },
    color: colorEnabled(process.env, stdout),
    ...withBell(bellFor(runtime.config.notify.bell, stdout)),
    ...(options.select === undefined ? {} : { select: options.select }),
  });

  function mount(): void {
    dashboard.resize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    const mounted = render(<App dashboard={dashboard} trackResize />, {
      exitOnCtrlC: false, // Ctrl+C is a key like q (exit 130), so the terminal is given back the same way
      patchConsole: false,
      maxFps: 60,
    });
    instance = mounted;
    mounted.waitUntilExit().then(
      () => {
        if (quitting) finish(exitCode);
      },
      (error: unknown) => fail(error),
    );
  }

  const refresh = (): void => {
    try {
      dashboard.refresh();
    } catch (error) {
      dashboard.showError(error);
    }
  };
  const watcher = watchLog(runtime.engine.ws.workDir, refresh);
  const clock = setInterval(() => dashboard.tick(), 1000);
  const onSignal = (): void => shell.quit(130);
  for (const signal of SIGNALS) process.on(signal, onSignal);

  screen.enter();
  try {
    mount();
  } catch (error) {
    fail(error);
  }
  return done.finally(() => {
    watcher.close();
    clearInterval(clock);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    screen.dispose();
    stdin.pause();
  });
}
