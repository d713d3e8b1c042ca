/**
 * `flux task run "<description>" [--id <id>] [--session] [--json]`: an ad hoc
 * task, no plan needed. It gets a worktree (`../<project>-<id>`) on a branch
 * of its own (`feature/<id>`), and an agent started there with the meta
 * prompt: in a new pane of the current tmux window when run inside tmux,
 * else in a detached tmux session (`flux-<project>-<id>`).
 *
 * Everything that can fail is checked before anything is made; what is made
 * is undone when a later step fails, and nothing is appended to the log
 * before the worktree exists. A first task creates `.work/` (as `flux init`
 * does, without a plan).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Tmux } from '../../effects/tmux.js';
import { loadConfig, type FluxConfig } from '../../engine/config.js';
import { Engine } from '../../engine/engine.js';
import { isPaneId, Runtime, shellJoin } from '../../engine/runtime.js';
import { findRepository, forkPoint } from '../../engine/runtime/standalone.js';
import { decideTaskRun, type TaskState } from '../../engine/task.js';
import { checkTaskId, expandTemplate, taskDef, taskId, tmuxSessionName } from '../../engine/task-names.js';
import { rollbackWorktree } from '../../engine/runtime/tasks.js';
import { ensureTaskWorkspace } from '../../engine/workspace-create.js';
import { ConfigError, ExitCode, ExternalError, FluxError, RefusedError, UsageError } from '../../errors.js';
import { paint, print, printJson } from '../output.js';

interface TaskRunOptions {
  id?: string;
  /** Overrides run.agent of .work/config.toml. */
  agent?: string;
  session?: boolean;
  json?: boolean;
}

/** Whether this process runs in a pane of the tmux server Flux uses (so a pane can go next to it). */
export function insideFluxTmux(tmux: Tmux, env: NodeJS.ProcessEnv = process.env): boolean {
  const inside = env.TMUX;
  if (inside === undefined || inside === '' || env.TMUX_PANE === undefined || env.TMUX_PANE === '')
    return false;
  // $TMUX is `<socket path>,<server pid>,<session index>`.
  const socket = path.basename(inside.split(',')[0] ?? '');
  return tmux.socket === undefined || tmux.socket === socket;
}

function checkAgent(config: FluxConfig, chosen: string | undefined): string {
  const agent = chosen ?? config.run.agent;
  if (agent === 'claude' || agent === 'sim' || config.agents[agent] !== undefined) return agent;
  const known = ['claude', 'sim', ...Object.keys(config.agents)].join(', ');
  if (chosen !== undefined)
    throw new UsageError(
      `--agent ${agent}: no such agent`,
      `the agents are ${known} ([agents.<name>] in .work/config.toml adds one)`,
    );
  throw new ConfigError(
    `run.agent in .work/config.toml is '${agent}': not claude, sim, or an [agents.${agent}] command agent`,
    'set run.agent to "claude", "sim" or the name of an [agents.<name>] section',
  );
}

export async function run(words: string | string[], options: TaskRunOptions): Promise<number> {
  const description = (Array.isArray(words) ? words.join(' ') : words).trim();
  if (description === '')
    throw new UsageError('the task needs a description', 'e.g. flux task run "Add OAuth authentication"');
  if (options.id !== undefined) checkTaskId(options.id);

  // Not in a repository: ExternalError (exit 5) from git.
  const root = await findRepository(process.cwd());
  const { branch: branchNow, base } = await forkPoint(root);

  const { ws, created } = ensureTaskWorkspace(root, branchNow);
  let appended = false;
  try {
    const runtime = new Runtime(new Engine(ws), loadConfig(ws.configPath));
    const code = await start(runtime, description, options, base, () => {
      appended = true;
    });
    return code;
  } catch (error) {
    // Nothing of this task reached the log: the workspace this run made goes too.
    if (created && !appended) rmSync(ws.workDir, { recursive: true, force: true });
    throw error;
  }
}

async function start(
  runtime: Runtime,
  description: string,
  options: TaskRunOptions,
  base: string,
  onAppend: () => void,
): Promise<number> {
  const { config, tmux } = runtime;
  // tmux missing or too old: ExternalError (exit 5) with how to install it.
  await tmux.isInstalled();
  const agent = checkAgent(config, options.agent);

  const id = options.id ?? taskId(description, randomBytes(3).toString('hex'));
  const project = path.basename(runtime.root);
  const values = { project, id };
  const worktree = path.resolve(runtime.root, expandTemplate(config.task.worktree, values, 'worktree'));
  const branch = expandTemplate(config.task.branch, values, 'branch');
  const tmuxSession = tmuxSessionName(expandTemplate(config.task.session, values, 'session'));

  // A session already there for this task: never a second one.
  const state = runtime.engine.load();
  const existing = state.stages[id];
  if (existing !== undefined) {
    throw new RefusedError(
      existing.kind === 'task'
        ? `task '${id}' already exists (${existing.status})`
        : `'${id}' is a stage of the plan, not a free task id`,
      existing.kind === 'task'
        ? `attach to it with \`flux attach ${id}\`, see it with \`flux task status ${id}\`, or merge and remove it with \`flux task cleanup ${id}\``
        : 'choose another id with --id',
    );
  }
  if (await tmux.hasSession(tmuxSession)) {
    const attach = shellJoin(tmux.attachArgs(tmuxSession));
    throw new RefusedError(
      `a tmux session '${tmuxSession}' already exists for task '${id}'`,
      `attach to it with \`${attach}\`, or end it first (\`tmux${tmux.socket === undefined ? '' : ` -L ${tmux.socket}`} kill-session -t '=${tmuxSession}'\`)`,
    );
  }
  const inTmux = options.session !== true && insideFluxTmux(tmux);

  // The worktree: neither its branch nor its path may exist.
  if (await runtime.git.branchExists(branch)) {
    throw new RefusedError(
      `cannot create the worktree: branch '${branch}' already exists`,
      `choose another id (--id), or delete the branch if it is a leftover (git branch -d ${branch})`,
    );
  }
  if (existsSync(worktree)) {
    throw new RefusedError(
      `cannot create the worktree: ${worktree} already exists`,
      'move it aside, choose another id (--id), or set task.worktree in .work/config.toml',
    );
  }
  const made = { worktree, branch, base, path: true, branchMade: true };
  const undo = async (): Promise<string[]> => rollbackWorktree(runtime, made);
  let realWorktree: string;
  try {
    realWorktree = (await runtime.git.addWorktree({ path: worktree, branch, base })).path;
  } catch (error) {
    const undone = await undo();
    if (!(error instanceof FluxError)) throw error;
    throw new FluxError(
      `cannot create the worktree ${worktree} on branch ${branch}: ${error.message}`,
      error.exitCode,
      [
        undone.length === 0 ? 'nothing was left behind' : `undone: ${undone.join(', ')}`,
        error.hint ?? 'check that the disk is not full and that the path is writable',
      ].join('; '),
    );
  }

  // Inside tmux: the pane is made now (holding a placeholder) so its id goes into the log.
  let pane: string | null = null;
  try {
    if (inTmux) {
      pane = await tmux.splitWindow({
        ...(process.env.TMUX_PANE === undefined ? {} : { target: process.env.TMUX_PANE }),
        cwd: worktree,
        command: ['/bin/sh', '-c', 'echo "Flux: starting task $0 ..."; exec sleep 300', id],
      });
    }
    const committed = runtime.engine.commit((current) =>
      decideTaskRun(current, {
        def: taskDef(id, description, config.task.acceptance, config.task.setup),
        worktree: realWorktree,
        branch,
        base,
        placement: pane === null ? 'session' : 'pane',
        tmuxSession,
        tmuxTarget: pane ?? tmuxSession,
        agent,
      }),
    );
    onAppend();
    await runtime.perform(committed.effects);
  } catch (error) {
    if (pane !== null) await tmux.killPane(pane);
    await undo();
    throw error;
  }

  const after = runtime.engine.load();
  const task = after.stages[id] as TaskState;
  const session = after.sessions[`${id}.s1`]!;
  if (task.status === 'failed' || session.status === 'crashed') {
    // Recorded as failed in the log; what was made for it goes.
    if (pane !== null) await tmux.killPane(pane);
    await tmux.killSession(tmuxSession).catch(() => false);
    const undone = await undo();
    throw new ExternalError(
      `task ${id}: its agent could not start: ${session.endReason ?? task.reason ?? 'unknown'}`,
      `${undone.length === 0 ? '' : `undone: ${undone.join(', ')}. `}The log records the task as failed; fix the cause and run \`flux task run\` again`,
    );
  }
  const target = session.tmux;
  const paneIndex = isPaneId(target)
    ? (await tmux.listPanes().catch(() => [])).find((p) => p.id === target)
    : undefined;
  const attach = isPaneId(target) ? null : shellJoin(tmux.attachArgs(target));

  if (options.json === true) {
    printJson({
      id,
      description: task.def.description,
      worktree: task.task.worktree,
      branch,
      base,
      agent,
      placement: task.task.placement,
      tmux: target,
      pane_index: paneIndex?.index ?? null,
      session: session.id,
      attach: attach ?? `flux attach ${id}`,
      status: `flux task status ${id}`,
      cleanup: `flux task cleanup ${id}`,
    });
    return ExitCode.ok;
  }
  print(paint('Flux task started', 'green'));
  print('');
  print(`  Task ID:   ${id}`);
  if (isPaneId(target)) {
    print(
      `  Tmux pane: ${target}${paneIndex === undefined ? '' : ` (pane ${paneIndex.index} of window ${paneIndex.windowIndex})`}`,
    );
  } else print(`  Session:   ${target}`);
  print(`  Worktree:  ${task.task.worktree}`);
  print(`  Branch:    ${branch} (from ${base})`);
  print('');
  if (isPaneId(target)) {
    print('Switch to the pane:');
    print(`  Ctrl+b q ${paneIndex?.index ?? '<pane number>'}   (or: flux attach ${id})`);
    print('');
    print(`The ${agent} agent works on the task in parallel, in the pane next to this one.`);
  } else {
    print('Attach to the session:');
    print(`  ${attach}   (or: flux attach ${id})`);
    print('');
    print(`The ${agent} agent works on the task in the background.`);
    print('Tip: detach with Ctrl+b d; the session keeps running.');
  }
  print('');
  print(`Status:        flux task status ${id}`);
  print(`When complete: flux task cleanup ${id}   (merges ${branch} into your current branch)`);
  return ExitCode.ok;
}
