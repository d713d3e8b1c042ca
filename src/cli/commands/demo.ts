/**
 * `flux demo [--dir <path>]`: the whole job on a built-in example. A
 * throw-away repository with a diamond plan, run end to end by the simulated
 * agent (no network, no model) on a tmux server of its own, with the live
 * view; it ends with everything merged and says where to look. Stopped with
 * Ctrl+C, it ends its sessions (recorded in the log) and its tmux server.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MonitorEnd, MonitorView } from '../../engine/monitor.js';
import { Monitor } from '../../engine/monitor.js';
import { Runtime } from '../../engine/runtime.js';
import { checkTmux, gitCommand } from '../../engine/runtime/standalone.js';
import { liveSessions, type FluxState } from '../../engine/state.js';
import { workspaceAt } from '../../engine/workspace.js';
import type { FluxEvent } from '../../log/events.js';
import { RefusedError } from '../../errors.js';
import { SIM_SCRIPTS_DIR_NAME } from '../../paths.js';
import { DEMO_PLAN, DEMO_PLAN_PATH, DEMO_README, DEMO_SCRIPTS } from '../demo-content.js';
import { initialize } from '../init-plan.js';
import { paint, print, say, wrap } from '../output.js';
import { closingSummary, LiveView, LogView, type ViewOptions } from '../run-view.js';

/** A tmux server of the demo's own, so it never touches the user's sessions. */
const DEMO_SOCKET = `flux-demo-${process.pid}`;

/** A `flux` the person's own shell finds: npx puts the package's node_modules/.bin on PATH only for itself. */
function fluxOnPath(): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some(
      (dir) =>
        dir !== '' && !dir.endsWith(path.join('node_modules', '.bin')) && existsSync(path.join(dir, 'flux')),
    );
}

async function makeRepository(dir: string): Promise<void> {
  mkdirSync(path.join(dir, path.dirname(DEMO_PLAN_PATH)), { recursive: true });
  writeFileSync(path.join(dir, DEMO_PLAN_PATH), DEMO_PLAN);
  writeFileSync(path.join(dir, 'README.md'), DEMO_README);
  await gitCommand(dir, ['init', '--quiet', '--initial-branch=main']);
  // A throw-away repository must not depend on the user's git identity.
  await gitCommand(dir, ['config', 'user.name', 'Flux demo']);
  await gitCommand(dir, ['config', 'user.email', 'demo@flux.invalid']);
  await gitCommand(dir, ['add', '--all']);
  await gitCommand(dir, ['commit', '--quiet', '--message', 'A greeter library, and its plan']);
}

/** How the demo ends: everything merged; or, stopped, that its sessions are over too. */
function demoSummary(dir: string): NonNullable<ViewOptions['summary']> {
  return (state: FluxState, why: MonitorEnd, width: number) =>
    why === 'interrupted'
      ? wrap(
          `Stopped. The demo's sessions are ended (recorded in its log) and its tmux server is closed; the repository stays in ${dir}.`,
          width,
        )
      : closingSummary(state, why, width);
}

/**
 * The view of the run, whose summary waits until the demo has closed what it
 * started: the monitor ends first, then the demo ends its sessions.
 */
class DeferredClose implements MonitorView {
  ended: { state: FluxState; why: MonitorEnd } | undefined;
  constructor(readonly inner: MonitorView) {}
  update(state: FluxState, events: readonly FluxEvent[]): void {
    this.inner.update(state, events);
  }
  note(text: string): void {
    this.inner.note(text);
  }
  close(state: FluxState, why: MonitorEnd): void {
    this.ended = { state, why };
  }
}

/** Ends every session still alive (recorded as ended), then the demo's tmux server and its socket. */
async function closeEverything(runtime: Runtime): Promise<void> {
  for (const session of liveSessions(runtime.engine.load(), { tasks: true }))
    await runtime.endSession(session.stage, session.id);
  await runtime.tmux.killServer();
}

export async function run(options: { dir?: string }): Promise<number> {
  await checkTmux(DEMO_SOCKET);
  const dir =
    options.dir === undefined ? mkdtempSync(path.join(tmpdir(), 'flux-demo-')) : path.resolve(options.dir);
  if (options.dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    if (readdirSync(dir).length > 0)
      throw new RefusedError(`${dir} is not empty`, 'give `flux demo --dir` a new or empty directory');
  }
  say(`${paint('Flux demo', 'bold')}: a throw-away repository in ${dir}`);
  await makeRepository(dir);
  process.chdir(dir);
  const { plan } = await initialize(DEMO_PLAN_PATH, {});
  say(`${plan.title} (${plan.path}): ${plan.stages.length} stages, run by the simulated agent.`);

  // The simulated agent, a script per stage, and a tmux server of the demo's own.
  const { workDir, configPath: config } = workspaceAt(dir);
  writeFileSync(
    config,
    readFileSync(config, 'utf8')
      .replace('agent = "claude"', 'agent = "sim"')
      .replace('socket = ""', `socket = "${DEMO_SOCKET}"`),
  );
  mkdirSync(path.join(workDir, SIM_SCRIPTS_DIR_NAME), { recursive: true });
  for (const [stage, script] of Object.entries(DEMO_SCRIPTS)) {
    writeFileSync(
      path.join(workDir, SIM_SCRIPTS_DIR_NAME, `${stage}.json`),
      JSON.stringify(script, null, 2) + '\n',
    );
  }
  print('');

  const viewOptions: ViewOptions = { summary: demoSummary(dir) };
  const view = new DeferredClose(
    process.stdout.isTTY === true
      ? new LiveView(process.stdout, viewOptions)
      : new LogView(process.stdout, viewOptions),
  );
  const runtime = Runtime.open(dir, { tmuxSocket: DEMO_SOCKET, onNote: (text) => view.note(text) });
  const monitor = new Monitor(runtime, { maxParallel: 4, livenessMs: 1000 }, view);
  const interrupt = () => monitor.stop();
  process.once('SIGINT', interrupt);
  let end: MonitorEnd;
  try {
    end = await monitor.run();
  } finally {
    process.off('SIGINT', interrupt);
    await closeEverything(runtime);
  }
  view.inner.close(runtime.engine.load(), view.ended?.why ?? end);

  print('');
  print(`Look around in ${dir}:`);
  print(`  cd ${dir}`);
  print('  git log --graph --oneline     # each stage merged from its own branch');
  print('  flux status; flux replay      # the state, and every event that made it');
  print('  ls .work/stages .work/handoffs .work/sessions');
  if (!fluxOnPath()) {
    print('');
    // Run through npx (or by path): the person's shell has no `flux` of its own.
    say(
      paint(
        '`flux` is not on your PATH, so those `flux` commands need it first: `npm link` in the Flux checkout, or `npm install -g` its package, puts it there (`npx flux` works only inside the checkout).',
        'dim',
      ),
    );
  }
  return end === 'interrupted' ? 130 : 0;
}
