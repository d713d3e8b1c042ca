/**
 * Whole `flux run`s for scenario tests: a temporary repository with a plan,
 * `flux init`, the simulated agent, real git and real tmux on a private
 * socket, and the bundled `flux` binary spawned the way a person runs it.
 *
 * The binary is a private copy of dist/bin taken when the file's tests
 * start (`npm run build` first): the agents in tmux call `flux hook`,
 * `flux done` and `flux handoff` for as long as they live, and a rebuild
 * in the meantime (which empties dist/bin) must not pull it from under them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, type FluxResult } from './cli.js';
import { privateTmux, privateTmuxOn, type PrivateTmux } from './private-tmux.js';
import { isolatedGitEnv, tempRepo, type TempRepo } from './temp-repo.js';
import { waitFor } from './wait.js';

/** The bundled CLI that `npm run build` writes (package.json `bin`). */
export const FLUX_BUNDLE = path.join(REPO_ROOT, 'dist', 'bin');

/** A copy of dist/bin in a temporary folder; returns its main.js. Remove it with `rmSync(path.dirname(dir))`. */
export function snapshotFlux(): string {
  const main = path.join(FLUX_BUNDLE, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist: run \`npm run build\` first`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flux-bin-'));
  cpSync(FLUX_BUNDLE, path.join(dir, 'bin'), { recursive: true });
  return path.join(dir, 'bin', 'main.js');
}

/** One line of `.work/events.jsonl`. */
export interface LogEvent {
  seq: number;
  at: string;
  type: string;
  stage?: string;
  session?: string;
  [key: string]: unknown;
}

/** `flux status --json`. */
export interface StatusJson {
  stages: Array<{
    id: string;
    status: string;
    reason: string | null;
    session: { id: string; status: string; tmux: string; context: number | null } | null;
  }>;
  attention: Array<{ stage: string; what: string; command: string }>;
}

/** A plan document with the given stages (YAML list items, indented under `stages:`). */
export function planDocument(title: string, stagesYaml: string): string {
  return [
    `# PLAN: ${title}`,
    '',
    '<!-- FLUX METADATA -->',
    '',
    '```yaml',
    'flux:',
    '  version: 1',
    '  stages:',
    stagesYaml.replace(/\n+$/, ''),
    '```',
    '',
    '<!-- END FLUX METADATA -->',
    '',
  ].join('\n');
}

/**
 * The README's three-stage plan (stage-1-models → stage-2-api, stage-3-frontend),
 * every stage `gate: auto`, with acceptance commands that pass for the files
 * the simulated agent's default script writes.
 */
export const README_PLAN_SIM = planDocument(
  'Implement User Authentication',
  `    - id: stage-1-models
      name: "Data Models"
      description: "Create User, Session, Token models"
      dependencies: []
      parallel_group: "foundation"
      gate: auto
      acceptance:
        - "test -f src/models/stage-1-models.rs"
      files:
        - "src/models/*.rs"
    - id: stage-2-api
      name: "API Endpoints"
      description: "Implement auth endpoints"
      dependencies: [stage-1-models]
      gate: auto
      acceptance:
        - "test -f src/api/stage-2-api.rs"
        - "test -f src/models/stage-1-models.rs"
      files:
        - "src/api/*.rs"
    - id: stage-3-frontend
      name: "Frontend Components"
      description: "Build login/signup UI"
      dependencies: [stage-1-models]
      parallel_group: "implementation"
      gate: auto
      acceptance:
        - "test -f src/components/stage-3-frontend.tsx"
      files:
        - "src/components/*.tsx"`,
);

export interface RunSettings {
  agent?: string;
  max_parallel?: number;
  handoff_threshold?: number;
  stop_reminders?: number;
  /** `[merge]` (docs/merge-queue.md). */
  resolve?: 'agent' | 'manual';
  resolve_attempts?: number;
  setup_timeout?: number;
}

/** A `flux run` in the background. */
export interface RunningFlux {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches `pattern`; rejects after `timeoutMs` or if the process ends first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (128 + n for a signal); on timeout kills it with SIGKILL and rejects. */
  finished(timeoutMs?: number): Promise<FluxResult>;
  kill(signal: NodeJS.Signals): void;
}

export interface FluxWorkspace extends TempRepo {
  /** The private tmux server every flux call uses. */
  tmux: PrivateTmux;
  /** The flux binary (a private copy of dist/bin/main.js). */
  bin: string;
  /** The environment every flux call gets. */
  env: Record<string, string>;
  /** Runs flux in the root (or `cwd`) to the end. */
  flux(
    args: readonly string[],
    options?: { cwd?: string; input?: string; env?: Record<string, string | undefined> },
  ): Promise<FluxResult>;
  /** Starts `flux run …args` (stdin not a TTY, so it prints one line per event). */
  startRun(args?: readonly string[]): RunningFlux;
  /** Writes `.work/sim/<stage>.json`. */
  writeSim(stage: string, script: object): void;
  /** The event log, parsed. */
  events(): LogEvent[];
  /** A file relative to the root. */
  read(file: string): string;
  /** Names of the sessions on the private tmux server. */
  tmuxSessions(): Promise<string[]>;
  /** `git worktree list --porcelain`: path and branch of every worktree. */
  worktrees(): Promise<Array<{ path: string; branch: string | null }>>;
  /** Kills the tmux server and removes the repository. */
  cleanup(): Promise<void>;
}

/** The runner's variables that would change what flux or tmux do. */
const DROPPED = /^(VISUAL|EDITOR|TMUX|TMUX_PANE|FORCE_COLOR|CLICOLOR_FORCE|FLUX_.*)$/;

/** The runner's environment without the variables matching `dropped`, git isolated, no colour, no supervisor, plus `extra`. */
export function fluxRunEnv(extra: Record<string, string>, dropped: RegExp = DROPPED): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !dropped.test(key)) env[key] = value;
  }
  // Scripted, as CI drives Flux: no background supervisor unless a test asks for one (FLUX_SUPERVISOR: 'auto').
  return { ...env, ...isolatedGitEnv, NO_COLOR: '1', FLUX_SUPERVISOR: 'off', ...extra };
}

function withOverrides(
  env: Record<string, string>,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const result = { ...env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}

/** Runs `node <bin> …args` in `cwd` with exactly `env` (plus `overrides`); never throws on a non-zero exit. */
export async function execFlux(
  bin: string,
  env: Record<string, string>,
  cwd: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string | undefined>; timeout?: number } = {},
): Promise<FluxResult> {
  const result = await execa(process.execPath, [bin, ...args], {
    cwd,
    env: withOverrides(env, options.env),
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  });
  return { exitCode: result.exitCode ?? 128, stdout: result.stdout, stderr: result.stderr };
}

/** `.work/events.jsonl` under `root`, parsed. */
export function readEvents(root: string): LogEvent[] {
  return readFileSync(path.join(root, '.work', 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogEvent);
}

/** Writes the sim script of a stage, `.work/sim/<stage>.json` under `root`. */
export function writeSimScript(root: string, stage: string, script: object): void {
  const file = path.join(root, '.work', 'sim', `${stage}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(script, null, 2) + '\n');
}

/** Names of the sessions on a tmux server (none when it is not running). */
export async function tmuxSessionNames(tmux: PrivateTmux): Promise<string[]> {
  const result = await tmux.tmux(['list-sessions', '-F', '#{session_name}']);
  return result.exitCode === 0 ? result.stdout.split('\n').filter((name) => name !== '') : [];
}

/** `flux status --json` through `flux`; throws when it fails. */
export async function fluxStatus(
  flux: (args: readonly string[]) => Promise<FluxResult>,
): Promise<StatusJson> {
  const result = await flux(['status', '--json']);
  if (result.exitCode !== 0) throw new Error(`flux status failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as StatusJson;
}

/** Sets `key = value` in `.work/config.toml` (every key Flux writes there is unique). */
export function setConfig(configPath: string, settings: RunSettings): void {
  let text = readFileSync(configPath, 'utf8');
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    const line = new RegExp(`^${key} = .*$`, 'm');
    if (!line.test(text)) throw new Error(`no setting ${key} in ${configPath}`);
    text = text.replace(line, `${key} = ${JSON.stringify(value)}`);
  }
  writeFileSync(configPath, text);
}

export interface WorkspaceOptions {
  /** The plan document (default: the README's plan for the sim). */
  plan?: string;
  /** `[run]` settings; `agent` defaults to "sim". */
  settings?: RunSettings;
  /** Sim scripts by stage. */
  sims?: Record<string, object>;
  /** The flux binary to use (default: a fresh copy of dist/bin). */
  bin?: string;
  /** The private tmux server's socket name (default: `flux-test-<random>`). */
  tmuxSocket?: string;
}

export const PLAN_FILE = 'doc/plans/PLAN.md';

/** A repository with the plan committed, `flux init` done and the settings applied. */
export async function fluxWorkspace(options: WorkspaceOptions = {}): Promise<FluxWorkspace> {
  const repo = await tempRepo('flux-run-');
  await repo.commit('Add the plan', { [PLAN_FILE]: options.plan ?? README_PLAN_SIM });
  const tmux = options.tmuxSocket === undefined ? privateTmux() : privateTmuxOn(options.tmuxSocket);
  const ownBin = options.bin === undefined;
  const bin = options.bin ?? snapshotFlux();
  const env = fluxRunEnv({ FLUX_TMUX_SOCKET: tmux.socket, FLUX_MAIN: bin });

  const flux: FluxWorkspace['flux'] = (args, opts = {}) =>
    execFlux(bin, env, path.resolve(repo.root, opts.cwd ?? '.'), args, opts);

  const startRun = (args: readonly string[] = []): RunningFlux => {
    const child = spawn(process.execPath, [bin, 'run', ...args], {
      cwd: repo.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    let stderr = '';
    const listeners = new Set<() => void>();
    const onData = (chunk: Buffer, stream: 'out' | 'err'): void => {
      const text = chunk.toString('utf8');
      output += text;
      if (stream === 'out') stdout += text;
      else stderr += text;
      for (const listener of listeners) listener();
    };
    child.stdout!.on('data', (chunk: Buffer) => onData(chunk, 'out'));
    child.stderr!.on('data', (chunk: Buffer) => onData(chunk, 'err'));
    const exit = new Promise<number>((resolve) => {
      child.on('close', (code, signal) => {
        for (const listener of listeners) listener();
        resolve(code ?? 128 + (signal === null ? 0 : os.constants.signals[signal]));
      });
    });
    let exited = false;
    void exit.then(() => (exited = true));

    return {
      child,
      output: () => output,
      kill: (signal) => child.kill(signal),
      waitForOutput: (pattern, timeoutMs = 60_000) =>
        new Promise<void>((resolve, reject) => {
          const check = (): void => {
            if (pattern.test(output)) done(null);
            else if (exited || child.exitCode !== null || child.signalCode !== null)
              done(new Error(`flux run ended before its output matched ${pattern}:\n${output}`));
          };
          const timer = setTimeout(
            () => done(new Error(`no ${pattern} in flux run's output after ${timeoutMs} ms:\n${output}`)),
            timeoutMs,
          );
          function done(error: Error | null): void {
            clearTimeout(timer);
            listeners.delete(check);
            if (error === null) resolve();
            else reject(error);
          }
          listeners.add(check);
          check();
        }),
      finished: async (timeoutMs = 90_000) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const result = await Promise.race([exit, timeout]);
        clearTimeout(timer);
        if (result === 'timeout') {
          child.kill('SIGKILL');
          await exit;
          throw new Error(`flux run did not finish within ${timeoutMs} ms; killed it. Output:\n${output}`);
        }
        return { exitCode: result, stdout, stderr };
      },
    };
  };

  const read = (file: string): string => readFileSync(path.join(repo.root, file), 'utf8');

  expectOk(await flux(['init', PLAN_FILE]), 'flux init');
  setConfig(path.join(repo.root, '.work', 'config.toml'), { agent: 'sim', ...options.settings });

  const workspace: FluxWorkspace = {
    ...repo,
    tmux,
    bin,
    env,
    flux,
    startRun,
    read,
    writeSim: (stage, script) => writeSimScript(repo.root, stage, script),
    events: () => readEvents(repo.root),
    tmuxSessions: () => tmuxSessionNames(tmux),
    worktrees: async () => {
      // While a `git worktree add` is writing its admin files, git can fail the listing for a moment.
      const text = await waitFor(() => repo.git(['worktree', 'list', '--porcelain']).catch(() => undefined), {
        what: 'git worktree list to answer',
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      return text
        .split('\n\n')
        .filter((block) => block.trim() !== '')
        .map((block) => {
          const lines = block.split('\n');
          const wt = lines.find((l) => l.startsWith('worktree '))!.slice('worktree '.length);
          const branch =
            lines.find((l) => l.startsWith('branch '))?.slice('branch refs/heads/'.length) ?? null;
          return { path: wt, branch };
        });
    },
    cleanup: async () => {
      try {
        const alive = (await workspace.tmuxSessions()).length > 0;
        await tmux.killServer();
        // Agents killed with the server still report their exit (a hook call) for a moment.
        if (alive) await new Promise((resolve) => setTimeout(resolve, 500));
        await rm(repo.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } finally {
        if (ownBin) rmSync(path.dirname(path.dirname(bin)), { recursive: true, force: true });
      }
    },
  };
  for (const [stage, script] of Object.entries(options.sims ?? {})) workspace.writeSim(stage, script);
  return workspace;
}

/** `flux run` in the background to its end; a timeout's error says where the workspace's files are. */
export async function runToEnd(ws: FluxWorkspace, timeoutMs = 90_000): Promise<FluxResult> {
  const run = ws.startRun();
  try {
    return await run.finished(timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${describeWorkspace(ws)}`);
  }
}

function expectOk(result: FluxResult, what: string): void {
  if (result.exitCode !== 0)
    throw new Error(`${what} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
}

// ---- reading the log --------------------------------------------------------

export function ofType(events: readonly LogEvent[], type: string, stage?: string): LogEvent[] {
  return events.filter(
    (e) => e.type === type && (stage === undefined || e.stage === stage || sessionStage(e) === stage),
  );
}

/** The stage a session event is about (`<stage>.s<n>`). */
function sessionStage(event: LogEvent): string | undefined {
  return typeof event.session === 'string' ? event.session.replace(/\.s\d+$/, '') : undefined;
}

/** Index (in the log) of the first event matching, or -1. */
export function indexOf(events: readonly LogEvent[], type: string, stage: string): number {
  return events.findIndex((e) => e.type === type && e.stage === stage);
}

/** Final status of every stage and session, folded from the log the simple way (no machines). */
export function finalStatuses(events: readonly LogEvent[]): {
  stages: Record<string, string>;
  sessions: Record<string, string>;
} {
  const stageStatus: Record<string, string> = {
    'stage.ready': 'ready',
    'stage.started': 'running',
    'stage.handoff_requested': 'needs_handoff',
    'stage.completed': 'completed',
    'stage.verified': 'verified',
    'stage.merged': 'merged',
    'stage.failed': 'failed',
    'stage.blocked': 'blocked',
    'stage.rejected': 'rejected',
    'stage.reset': 'pending',
  };
  const stages: Record<string, string> = {};
  const sessions: Record<string, string> = {};
  for (const event of events) {
    if (event.type.startsWith('stage.') && stageStatus[event.type] !== undefined)
      stages[event.stage!] = stageStatus[event.type]!;
    if (event.type === 'session.started') sessions[event.session!] = 'starting';
    if (event.type === 'session.ended') sessions[event.session!] = 'ended';
    if (event.type === 'session.crashed') sessions[event.session!] = 'crashed';
  }
  return { stages, sessions };
}

/**
 * Replays the log's session starts and ends; returns every moment a stage had
 * two sessions alive at once (an empty list is what a correct run gives).
 */
export function doubledSessions(events: readonly LogEvent[]): string[] {
  const live = new Map<string, Set<string>>();
  const problems: string[] = [];
  for (const event of events) {
    if (event.type === 'session.started') {
      const set = live.get(event.stage!) ?? new Set<string>();
      set.add(event.session!);
      live.set(event.stage!, set);
      if (set.size > 1) problems.push(`seq ${event.seq}: ${event.stage} has ${[...set].join(' and ')} alive`);
    }
    if (event.type === 'session.ended' || event.type === 'session.crashed') {
      for (const set of live.values()) set.delete(event.session!);
    }
  }
  return problems;
}

/** Where a scenario's files are, for a failure message. */
export function describeWorkspace(ws: FluxWorkspace, run?: RunningFlux): string {
  const log = existsSync(path.join(ws.root, '.work', 'events.jsonl'))
    ? ws
        .events()
        .map((e) => `${e.seq} ${e.type} ${e.stage ?? e.session ?? ''} ${String(e.reason ?? '')}`)
        .join('\n')
    : '(no log)';
  return `workspace ${ws.root}\n--- events\n${log}${run === undefined ? '' : `\n--- flux run\n${run.output()}`}`;
}
