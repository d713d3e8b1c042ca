/**
 * `flux demo [--dir <path>]`: the whole job on a built-in example. A
 * throw-away repository with a diamond plan, run end to end by the simulated
 * agent (no network, no model) on a tmux server of its own, with the live
 * view; it ends with everything merged and says where to look.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Monitor } from '../../engine/monitor.js';
import { fluxCommand, Runtime, shellJoin } from '../../engine/runtime.js';
import { checkTmux } from '../../engine/runtime/standalone.js';
import { workspaceAt } from '../../engine/workspace.js';
import { RefusedError } from '../../errors.js';
import { SIM_SCRIPTS_DIR_NAME } from '../../paths.js';
import { DEMO_PLAN, DEMO_PLAN_PATH, DEMO_README, DEMO_SCRIPTS } from '../demo-content.js';
import { initPlan } from '../init-plan.js';
import { paint, print } from '../output.js';
import { LiveView, LogView } from '../run-view.js';

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

async function git(cwd: string, args: string[]): Promise<void> {
  await execa('git', args, { cwd });
}

async function makeRepository(dir: string): Promise<void> {
  mkdirSync(path.join(dir, path.dirname(DEMO_PLAN_PATH)), { recursive: true });
  writeFileSync(path.join(dir, DEMO_PLAN_PATH), DEMO_PLAN);
  writeFileSync(path.join(dir, 'README.md'), DEMO_README);
  await git(dir, ['init', '--quiet', '--initial-branch=main']);
  // A throw-away repository must not depend on the user's git identity.
  await git(dir, ['config', 'user.name', 'Flux demo']);
  await git(dir, ['config', 'user.email', 'demo@flux.invalid']);
  await git(dir, ['add', '--all']);
  await git(dir, ['commit', '--quiet', '--message', 'A greeter library, and its plan']);
}

export async function run(options: { dir?: string }): Promise<number> {
  await checkTmux(DEMO_SOCKET);
  const dir =
    options.dir === undefined ? mkdtempSync(path.join(tmpdir(), 'flux-demo-')) : path.resolve(options.dir);
  if (options.dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    const { stdout } = await execa('ls', ['-A', dir]);
    if (stdout.trim() !== '')
      throw new RefusedError(`${dir} is not empty`, 'give `flux demo --dir` a new or empty directory');
  }
  print(`${paint('Flux demo', 'bold')}: a throw-away repository in ${dir}`);
  await makeRepository(dir);
  process.chdir(dir);
  await initPlan(DEMO_PLAN_PATH, {});

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

  const view = process.stdout.isTTY === true ? new LiveView() : new LogView();
  const runtime = Runtime.open(dir, { tmuxSocket: DEMO_SOCKET, onNote: (text) => view.note(text) });
  const monitor = new Monitor(runtime, { maxParallel: 4, livenessMs: 1000 }, view);
  const interrupt = () => monitor.stop();
  process.once('SIGINT', interrupt);
  let end;
  try {
    end = await monitor.run();
  } finally {
    process.off('SIGINT', interrupt);
  }
  await runtime.tmux.listSessions().then(async (sessions) => {
    for (const session of sessions) await runtime.tmux.killSession(session.name);
  });
  print('');
  // `flux` may not be on PATH (run with npx from the checkout): show the command that works.
  const flux = fluxOnPath() ? 'flux' : shellJoin(fluxCommand());
  print(`Look around in ${dir}:`);
  print(`  cd ${dir}`);
  print('  git log --graph --oneline     # each stage merged from its own branch');
  print(`  ${flux} status; ${flux} replay      # the state, and every event that made it`);
  print('  ls .work/stages .work/handoffs .work/sessions');
  return end === 'interrupted' ? 130 : 0;
}
