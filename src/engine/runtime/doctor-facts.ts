/**
 * Gathering what `flux doctor` checks (effects: git, tmux, claude --version,
 * files under `.work/` and Claude Code's config). Nothing here changes
 * anything; every question that fails becomes a fact (the checks in
 * src/engine/doctor/ say what it means).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '../../effects/exec.js';
import { findMainWorktree } from '../../effects/git.js';
import { createTmux } from '../../effects/tmux.js';
import { FluxError } from '../../errors.js';
import { parseHolder } from '../../log/lock.js';
import { PLAN_SESSION_PREFIX, STAGE_BRANCH_PREFIX, WORKTREES_DIR_NAME } from '../../paths.js';
import { chooseTmuxSocket, configSchema, loadConfig, type FluxConfig } from '../config.js';
import type {
  AgentFacts,
  DoctorFacts,
  LockFact,
  SupervisorFact,
  VersionFact,
  WorkspaceFacts,
} from '../doctor/types.js';
import { Engine } from '../engine.js';
import { liveSessions, type FluxState } from '../state.js';
import { isAlive, readSupervisor, recordPath } from '../supervisor.js';
import { workspaceAt, type Workspace } from '../workspace.js';
import { EFFECTS_LOCK_NAME } from './effects-lock.js';
import { gatherClaudeFacts, programVersion, sessionEnv } from './claude-facts.js';
import { gatherHostFacts } from './host-facts.js';
import { locateProgram } from './program.js';

/** Every setting at its default: the config when there is no workspace (or it does not read). */
export const DEFAULT_CONFIG: FluxConfig = configSchema.parse({ plan: { path: '' } });

const LOCK_NAMES = ['events.lock', EFFECTS_LOCK_NAME, 'monitor.lock'];

async function toolVersion(program: string, args: string[]): Promise<VersionFact> {
  try {
    const result = await runTool(program, args, { missingHint: '' });
    if (result.exitCode !== 0) return { found: false, error: result.stderr || `exited ${result.exitCode}` };
    return { found: true, output: result.stdout.trim() };
  } catch (error) {
    return {
      found: false,
      error: error instanceof Error ? error.message.replace(/^\w+ /, '') : String(error),
    };
  }
}

function lockFacts(ws: Workspace): LockFact[] {
  const facts: LockFact[] = [];
  for (const name of LOCK_NAMES) {
    const file = path.join(ws.workDir, name);
    let content: string;
    let mtime: number;
    try {
      content = readFileSync(file, 'utf8');
      mtime = statSync(file).mtimeMs;
    } catch {
      continue;
    }
    const holder = parseHolder(content);
    if (holder === null) facts.push({ name, file, pid: null, alive: null, since: mtime });
    else
      facts.push({
        name,
        file,
        pid: holder.pid,
        alive: holder.hostname === os.hostname() ? isAlive(holder.pid) : null,
        since: Math.max(holder.since, mtime),
      });
  }
  return facts;
}

async function fluxBranches(root: string): Promise<string[]> {
  const result = await runTool(
    'git',
    ['for-each-ref', '--format=%(refname:short)', `refs/heads/${STAGE_BRANCH_PREFIX}`],
    {
      cwd: root,
      missingHint: '',
    },
  ).catch(() => undefined);
  if (result === undefined || result.exitCode !== 0) return [];
  return result.stdout.split('\n').filter((line) => line !== '');
}

function worktreeDirs(root: string): string[] {
  try {
    return readdirSync(path.join(root, WORKTREES_DIR_NAME), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function supervisorFact(ws: Workspace): SupervisorFact {
  const s = readSupervisor(ws);
  if (s.running) return { running: true, pid: s.pid, since: s.since, version: s.version };
  try {
    const record = JSON.parse(readFileSync(recordPath(ws), 'utf8')) as { pid?: unknown };
    return { running: false, leftoverPid: typeof record.pid === 'number' ? record.pid : null };
  } catch {
    return { running: false, leftoverPid: null };
  }
}

function known(state: FluxState | null): WorkspaceFacts['known'] {
  if (state === null) return { branches: [], worktreeDirs: [], liveTmux: [] };
  const stages = Object.entries(state.stages);
  return {
    branches: stages.map(([id, stage]) => stage.task?.branch ?? `${STAGE_BRANCH_PREFIX}${id}`),
    worktreeDirs: stages.map(([id]) => id),
    liveTmux: liveSessions(state, { tasks: true }).map((session) => session.tmux),
  };
}

async function workspaceFacts(
  root: string | null,
  config: FluxConfig,
  configError: WorkspaceFacts['configError'],
  tmuxWorks: boolean,
): Promise<WorkspaceFacts> {
  const now = Date.now();
  const empty: WorkspaceFacts = {
    root,
    present: false,
    configWithoutLog: false,
    configError: null,
    log: null,
    locks: [],
    branches: [],
    worktreeDirs: [],
    tmuxSessions: null,
    known: known(null),
    tmuxSocket: undefined,
    supervisor: { running: false, leftoverPid: null },
    now,
  };
  if (root === null) return empty;
  const ws = workspaceAt(root);
  if (!existsSync(ws.logPath)) return { ...empty, configWithoutLog: existsSync(ws.configPath) };
  let state: FluxState | null = null;
  let log: WorkspaceFacts['log'];
  try {
    state = new Engine(ws).load();
    log = { ok: true, events: state.seq };
  } catch (error) {
    if (!(error instanceof FluxError)) throw error;
    log = { ok: false, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  }
  const socket = chooseTmuxSocket(() => config);
  let tmuxSessions: string[] | null = null;
  if (tmuxWorks) {
    try {
      const tmux = createTmux(socket === undefined ? {} : { socket });
      tmuxSessions = (await tmux.listSessions(config.tmux.session_prefix))
        .map((session) => session.name)
        .filter((name) => !name.startsWith(PLAN_SESSION_PREFIX));
    } catch {
      tmuxSessions = null;
    }
  }
  return {
    root,
    present: true,
    configWithoutLog: false,
    configError,
    log,
    locks: lockFacts(ws),
    branches: await fluxBranches(root),
    worktreeDirs: worktreeDirs(root),
    tmuxSessions,
    known: known(state),
    tmuxSocket: socket,
    supervisor: supervisorFact(ws),
    now,
  };
}

/** The workspace's config (defaults without one), and why it does not read. */
function readConfig(root: string | null): { config: FluxConfig; error: WorkspaceFacts['configError'] } {
  if (root === null) return { config: DEFAULT_CONFIG, error: null };
  const ws = workspaceAt(root);
  if (!existsSync(ws.configPath)) return { config: DEFAULT_CONFIG, error: null };
  try {
    return { config: loadConfig(ws.configPath), error: null };
  } catch (error) {
    if (!(error instanceof FluxError)) throw error;
    return {
      config: DEFAULT_CONFIG,
      error: { message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) },
    };
  }
}

async function agentFacts(config: FluxConfig, root: string | null): Promise<AgentFacts> {
  const agent = config.run.agent;
  if (agent === 'sim') return { kind: 'sim' };
  if (agent !== 'claude') {
    const program = config.agents[agent]?.command[0] ?? agent;
    return { kind: 'command', name: agent, program, found: locateProgram(program) !== null };
  }
  const facts = gatherClaudeFacts(config, root);
  const version = facts.path === null ? undefined : await programVersion(facts.path, sessionEnv(config));
  return { kind: 'claude', ...facts, ...(version === undefined ? {} : { version }) };
}

/** Everything `flux doctor` looks at, from `cwd`. */
export async function gatherDoctorFacts(cwd: string): Promise<DoctorFacts & { home: string }> {
  const [git, tmux] = await Promise.all([toolVersion('git', ['--version']), toolVersion('tmux', ['-V'])]);
  const root = git.found ? await findMainWorktree(cwd).catch(() => null) : null;
  const { config, error } = readConfig(root);
  const [agent, workspace, hosts] = await Promise.all([
    agentFacts(config, root),
    workspaceFacts(root, config, error, tmux.found),
    gatherHostFacts(config),
  ]);
  return { git, tmux, hosts, agent, workspace, home: sessionEnv(config).HOME || os.homedir() };
}
