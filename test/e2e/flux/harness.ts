// Whole `flux run`s with the real `claude` binary, offline: a temporary git
// repository with a plan and `flux init` done; `.work/config.toml` pointing
// Flux at the cached binary, a 200k-window model, the scripted model server
// (`[claude.env]`) and an API key helper plus `autoCompactWindow`
// (`[claude] settings`); an isolated HOME / CLAUDE_CONFIG_DIR whose
// `.claude.json` trusts the repository root; Flux's tmux on a private socket
// (FLUX_TMUX_SOCKET) and a private copy of dist/bin.
//
// One model server serves every stage of a workspace. Flux's first prompt of a
// session starts with `# Flux stage <id>: <name>` and says `You are session
// <id>.s<n>,`, so a route per stage (or per session) finds its script.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLAUDE_BIN, claudeInstalled } from '../claude-session.js';
import {
  bash,
  lastToolResult,
  lastUserText,
  say,
  startModelServer,
  textOf,
  type MessagesRequest,
  type ModelServer,
  type Scenario,
  type ScriptStep,
  type Turn,
} from '../model-server.js';
import { RIG_MODEL, usage } from '../rig.js';
import type { FluxResult } from '../../helpers/cli.js';
import {
  execFlux,
  fluxRunEnv,
  fluxStatus,
  planDocument,
  readEvents,
  snapshotFlux,
  type LogEvent,
  type StatusJson,
} from '../../helpers/flux-run.js';
import { privateTmux, privateTmuxOn, type PrivateTmux } from '../../helpers/private-tmux.js';
import { tempRepo } from '../../helpers/temp-repo.js';

export { planDocument, usage, RIG_MODEL, type FluxResult, type LogEvent, type StatusJson };

export const PLAN_FILE = 'doc/plans/PLAN.md';
/** The private tmux server's session that is not Flux's (see fluxE2E). */
export const KEEPALIVE = 'e2e-keepalive';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
export const API_KEY_HELPER = 'echo sk-ant-api03-flux-e2e';
/** The window Claude Code compacts against (with it, proactive compaction at 83.5% of 200k). */
export const AUTO_COMPACT_WINDOW = 200_000;

export const hasCommand = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why the Flux-with-claude scenarios cannot run here, or undefined when they can. */
export function claudeSkipReason(): string | undefined {
  if (!claudeInstalled())
    return `claude not installed at ${CLAUDE_BIN}: run \`npm run claude:install\` (or set FLUX_CLAUDE_BIN)`;
  return fluxSkipReason();
}

/** Why scenarios that need only flux, git and tmux cannot run here. */
export function fluxSkipReason(): string | undefined {
  if (!hasCommand('tmux')) return 'tmux is not installed';
  if (!hasCommand('git')) return 'git is not installed';
  return undefined;
}

/** Prints why a file's scenarios are skipped, once, where the runner shows it. */
export function announceSkip(what: string, reason: string | undefined): void {
  if (reason !== undefined) process.stderr.write(`[e2e/flux] skipping ${what}: ${reason}\n`);
}

// ---- the workspace -----------------------------------------------------------

export interface RunningFlux {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (128 + n for a signal); on timeout kills it and rejects. */
  finished(timeoutMs?: number): Promise<number>;
  /** Ctrl+C: the monitor stops watching; the sessions stay in tmux. */
  stop(): Promise<number>;
}

export interface E2EOptions {
  /** The plan document. */
  plan: string;
  /** Scripts for the model server, routed by stage or session marker. */
  scenario: Scenario;
  /** `[run]` settings (numbers and strings), e.g. `{ handoff_threshold: 90 }`. */
  run?: Record<string, string | number>;
  /** Extra TOML appended to the config (e.g. `[agents.script]`). */
  extraToml?: string;
  /**
   * The model server's address as the agents reach it (`[claude.env] ANTHROPIC_BASE_URL`);
   * default its own URL. A stage on a host reaches it over a forwarded port.
   */
  agentBaseUrl?: string;
  /** The private tmux server's socket name (default: `flux-test-<random>`). */
  tmuxSocket?: string;
  /** Folders trusted in the isolated `.claude.json` besides the repository root (a host's worktrees), given the root. */
  trust?: (root: string) => string[];
}

export interface E2E {
  root: string;
  server: ModelServer;
  tmux: PrivateTmux;
  /** The isolated HOME and config dir claude runs with. */
  home: string;
  configDir: string;
  /** The environment every flux call gets. */
  env: Record<string, string>;
  bin: string;
  flux(
    args: readonly string[],
    options?: { cwd?: string; env?: Record<string, string | undefined> },
  ): Promise<FluxResult>;
  /** `flux run …args` in the background (stdin not a TTY: one line per event). */
  startRun(args?: readonly string[]): RunningFlux;
  status(): Promise<StatusJson>;
  /** The stage's row of `flux status --json`. */
  stage(id: string): Promise<StatusJson['stages'][number]>;
  events(): LogEvent[];
  read(file: string): string;
  git(args: readonly string[], cwd?: string): Promise<string>;
  /** Polls `probe` (sync or async) until it returns something other than undefined/false. */
  waitFor<T>(
    what: string,
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    ms?: number,
  ): Promise<T>;
  /** Waits for a stage status in `flux status --json`. */
  waitForStage(id: string, status: string | RegExp, ms?: number): Promise<StatusJson['stages'][number]>;
  /** pid of the agent process in a stage's pane: the child of the pane's sh (Flux's exit reporter). */
  agentPid(tmuxSession: string): Promise<number>;
  /** The pane's screen, for failure messages. */
  screen(tmuxSession: string): Promise<string>;
  /** Names of the tmux sessions on the private server, the keep-alive one left out. */
  tmuxSessions(): Promise<string[]>;
  /** What happened so far (events, model requests, panes, flux run output): for failure messages. */
  diagnose(): Promise<string>;
  cleanup(): Promise<void>;
}

/** The runner's variables that would change what flux, tmux or claude do (an outer claude or tmux). */
const DROPPED = /^(VISUAL|EDITOR|TMUX|TMUX_PANE|FORCE_COLOR|CLICOLOR_FORCE|FLUX_.*|ANTHROPIC_.*|CLAUDE.*)$/;

const toml = (value: string): string => JSON.stringify(value);

/** `.work/config.toml` for the real binary, offline, against the scripted server. */
export function configureClaude(
  text: string,
  opts: { serverUrl: string; home: string; configDir: string; run?: Record<string, string | number> },
): string {
  const replace = (pattern: RegExp, line: string): void => {
    if (!pattern.test(text)) throw new Error(`config.toml has no line matching ${pattern}`);
    text = text.replace(pattern, line);
  };
  for (const [key, value] of Object.entries(opts.run ?? {})) {
    replace(new RegExp(`^${key} = .*$`, 'm'), `${key} = ${typeof value === 'number' ? value : toml(value)}`);
  }
  replace(/^command = "claude"$/m, `command = ${toml(CLAUDE_BIN)}`);
  replace(/^model = ""$/m, `model = ${toml(RIG_MODEL)}`);
  // An inline table: the key helper spares a login, the window turns on proactive compaction.
  replace(
    /^settings = \{\}$/m,
    `settings = { apiKeyHelper = ${toml(API_KEY_HELPER)}, autoCompactWindow = ${AUTO_COMPACT_WINDOW} }`,
  );
  const env = {
    ANTHROPIC_BASE_URL: opts.serverUrl,
    HOME: opts.home,
    CLAUDE_CONFIG_DIR: opts.configDir,
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  };
  replace(
    /^\[claude\.env\]$/m,
    ['[claude.env]', ...Object.entries(env).map(([k, v]) => `${k} = ${toml(v)}`)].join('\n'),
  );
  return text;
}

/** A HOME whose `.claude.json` has onboarding done and the repository root (and `more`) trusted, once, as a user would. */
export function isolatedClaudeHome(
  trusted: string,
  more: readonly string[] = [],
): { home: string; configDir: string; dir: string } {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'flux-e2e-home-')));
  const home = path.join(dir, 'home');
  const configDir = path.join(home, '.claude');
  mkdirSync(configDir, { recursive: true });
  const config = JSON.stringify(
    {
      hasCompletedOnboarding: true,
      projects: Object.fromEntries(
        [trusted, ...more].map((folder) => [
          folder,
          { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true },
        ]),
      ),
    },
    null,
    2,
  );
  writeFileSync(path.join(configDir, '.claude.json'), config);
  writeFileSync(path.join(home, '.claude.json'), config);
  return { home, configDir, dir };
}

/**
 * A private copy of the flux bundle (dist/bin, or $FLUX_E2E_BUNDLE to test
 * another build): agents call it for as long as they live, and a rebuild
 * meanwhile must not pull it from under them. Returns its main.js.
 */
function snapshotBundle(): string {
  const other = process.env.FLUX_E2E_BUNDLE;
  if (other === undefined || other === '') return snapshotFlux();
  if (!existsSync(path.join(other, 'main.js'))) throw new Error(`FLUX_E2E_BUNDLE=${other} has no main.js`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flux-bin-'));
  cpSync(other, path.join(dir, 'bin'), { recursive: true });
  return path.join(dir, 'bin', 'main.js');
}

export async function fluxE2E(options: E2EOptions): Promise<E2E> {
  const repo = await tempRepo('flux-e2e-');
  await repo.commit('Add the plan', { [PLAN_FILE]: options.plan });
  const server = await startModelServer(options.scenario);
  const tmux = options.tmuxSocket === undefined ? privateTmux() : privateTmuxOn(options.tmuxSocket);
  // A session that is not Flux's keeps the private server up, as a person's own
  // sessions keep their default server up. Without it, replacing the server's
  // only session (a handoff in a one-stage plan) races tmux's shutdown:
  // `kill-session` of the last session, then `new-session` at once, fails about
  // one time in ten with "server exited unexpectedly" (tmux 3.3a), and Flux
  // records the new session as unable to start. See docs/claude-code.md.
  const keep = await tmux.tmux(['new-session', '-d', '-s', KEEPALIVE, 'sleep', '86400']);
  if (keep.exitCode !== 0) throw new Error(`tmux: cannot start the private server: ${keep.stderr}`);
  const bin = snapshotBundle();
  const claudeHome = isolatedClaudeHome(repo.root, options.trust?.(repo.root));
  const env = fluxRunEnv({ FLUX_TMUX_SOCKET: tmux.socket, FLUX_MAIN: bin }, DROPPED);
  const runs: RunningFlux[] = [];

  const flux: E2E['flux'] = (args, opts = {}) =>
    execFlux(bin, env, path.resolve(repo.root, opts.cwd ?? '.'), args, {
      timeout: 120_000,
      ...(opts.env === undefined ? {} : { env: opts.env }),
    });

  const init = await flux(['init', PLAN_FILE]);
  if (init.exitCode !== 0)
    throw new Error(`flux init exited ${init.exitCode}:\n${init.stdout}${init.stderr}`);
  const configPath = path.join(repo.root, '.work', 'config.toml');
  writeFileSync(
    configPath,
    configureClaude(readFileSync(configPath, 'utf8'), {
      serverUrl: options.agentBaseUrl ?? server.url,
      home: claudeHome.home,
      configDir: claudeHome.configDir,
      ...(options.run === undefined ? {} : { run: options.run }),
    }) + (options.extraToml === undefined ? '' : `\n${options.extraToml}\n`),
  );

  const startRun = (args: readonly string[] = []): RunningFlux => {
    const child = spawn(process.execPath, [bin, 'run', ...args], {
      cwd: repo.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exit = new Promise<number>((resolve) =>
      child.on('close', (code, signal) =>
        resolve(code ?? 128 + (signal === null ? 0 : os.constants.signals[signal])),
      ),
    );
    const running: RunningFlux = {
      child,
      output: () => output,
      finished: async (timeoutMs = 180_000) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>(
          (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
        );
        const result = await Promise.race([exit, timeout]);
        clearTimeout(timer);
        if (result === 'timeout') {
          child.kill('SIGKILL');
          await exit;
          throw new Error(`flux run did not finish within ${timeoutMs} ms. Output:\n${output}`);
        }
        return result;
      },
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        return exit;
      },
    };
    runs.push(running);
    return running;
  };

  const status = (): Promise<StatusJson> => fluxStatus(flux);
  const stage = async (id: string) => {
    const row = (await status()).stages.find((s) => s.id === id);
    if (row === undefined) throw new Error(`no stage ${id} in flux status`);
    return row;
  };
  const read = (file: string): string => readFileSync(path.join(repo.root, file), 'utf8');
  const events = (): LogEvent[] => readEvents(repo.root);

  const waitFor: E2E['waitFor'] = async (what, probe, ms = 60_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) {
        const tail = events()
          .slice(-15)
          .map((e) => JSON.stringify(e))
          .join('\n');
        throw new Error(`timed out after ${ms} ms waiting for ${what}; last events:\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  /** The pane processes of the private server and their children (claude, a command agent). */
  const paneProcesses = async (): Promise<number[]> => {
    const panes = await tmux.tmux(['list-panes', '-a', '-F', '#{pane_pid}']);
    const pids = panes.stdout
      .split('\n')
      .filter((p) => p !== '')
      .map(Number);
    const children = pids.flatMap((pid) => {
      try {
        return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map(Number);
      } catch {
        return [];
      }
    });
    return [...pids, ...children].filter((pid) => Number.isInteger(pid) && pid > 0);
  };

  const paneLine = async (session: string, format: string): Promise<string> => {
    const result = await tmux.tmux(['list-panes', '-t', `=${session}:`, '-F', format]);
    if (result.exitCode !== 0) throw new Error(`no tmux session ${session}: ${result.stderr}`);
    return result.stdout.trim();
  };

  return {
    root: repo.root,
    server,
    tmux,
    home: claudeHome.home,
    configDir: claudeHome.configDir,
    env,
    bin,
    flux,
    startRun,
    status,
    stage,
    events,
    read,
    git: (args, cwd) => repo.git(args, cwd === undefined ? repo.root : path.resolve(repo.root, cwd)),
    waitFor,
    waitForStage: (id, want, ms = 90_000) =>
      waitFor(
        `${id} to be ${String(want)}`,
        async () => {
          const row = await stage(id);
          return (typeof want === 'string' ? row.status === want : want.test(row.status)) ? row : undefined;
        },
        ms,
      ),
    agentPid: async (session) => {
      const shPid = Number(await paneLine(session, '#{pane_pid}'));
      const children = execFileSync('pgrep', ['-P', String(shPid)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      if (children.length !== 1 || children[0] === '')
        throw new Error(`expected one child of the pane's sh (${shPid}), found: ${children.join(' ')}`);
      return Number(children[0]);
    },
    tmuxSessions: async () =>
      (await tmux.tmux(['list-sessions', '-F', '#{session_name}'])).stdout
        .split('\n')
        .filter((name) => name !== '' && name !== KEEPALIVE),
    screen: async (session) =>
      (await tmux.tmux(['capture-pane', '-p', '-t', `=${session}:`, '-S', '-60'])).stdout,
    diagnose: async () => {
      const lines: string[] = ['--- events'];
      try {
        for (const e of events()) lines.push(JSON.stringify(e).slice(0, 300));
      } catch (error) {
        lines.push(String(error));
      }
      lines.push('--- model requests');
      for (const r of server.requests) {
        if (r.kind !== 'main' && r.kind !== 'compact') continue;
        const text = r.body === undefined ? '' : lastUserText(r.body).replace(/\s+/g, ' ').slice(0, 160);
        lines.push(`${new Date(r.at).toISOString().slice(11, 23)} ${r.kind} ${r.route ?? '-'} ← ${text}`);
      }
      const sessions = await tmux.tmux(['list-sessions', '-F', '#{session_name}']);
      for (const name of sessions.stdout.split('\n').filter((n) => n !== '' && n !== KEEPALIVE)) {
        lines.push(`--- pane ${name}`, (await tmux.tmux(['capture-pane', '-p', '-t', `=${name}:`])).stdout);
        try {
          const shPid = (
            await tmux.tmux(['list-panes', '-t', `=${name}:`, '-F', '#{pane_pid}'])
          ).stdout.trim();
          const environ = readFileSync(`/proc/${shPid}/environ`, 'utf8').split('\0');
          lines.push(`pane env: ${environ.filter((v) => /^(PATH|FLUX_|HOME)/.test(v)).join(' ')}`);
        } catch (error) {
          lines.push(`pane env: ${String(error)}`);
        }
      }
      runs.forEach((r, i) => lines.push(`--- flux run #${i + 1}`, r.output()));
      try {
        lines.push('--- hooks.log', read('.work/logs/hooks.log'));
      } catch {
        // no hook failures
      }
      return lines.join('\n');
    },
    cleanup: async () => {
      await Promise.all(runs.map((r) => r.stop().catch(() => 0)));
      // A supervisor a scenario started (it would outlive the repository otherwise).
      await flux(['stop']).catch(() => undefined);
      // Every agent (and what it started) goes with the server; wait for them before removing their files.
      const pids = await paneProcesses();
      await tmux.killServer();
      await server.close();
      const deadline = Date.now() + 5_000;
      while (pids.some(alive) && Date.now() < deadline) await sleep(100);
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
      await rm(repo.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      rmSync(claudeHome.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      rmSync(path.dirname(path.dirname(bin)), { recursive: true, force: true });
    },
  };
}

// ---- scripting a stage's claude ----------------------------------------------

/** The route marker of a stage (its first prompt's title) or of one session of it. */
export const stageMarker = (stage: string): string => `# Flux stage ${stage}:`;
export const sessionMarker = (session: string): string => `You are session ${session},`;

/**
 * A Bash tool call that writes files (relative to the worktree) and commits them.
 * Only commands claude runs without asking in acceptEdits mode plus the
 * plan's allow-list (`git add`, `git commit`).
 */
export function commitFiles(files: Record<string, string>, message: string): Turn['tools'] {
  const parts: string[] = [];
  for (const [file, content] of Object.entries(files)) {
    const dir = path.posix.dirname(file);
    if (dir !== '.') parts.push(`mkdir -p ${dir}`);
    parts.push(`printf '%s\\n' ${shq(content)} > ${file}`);
  }
  parts.push(`git add ${Object.keys(files).join(' ')}`, `git commit -q -m ${shq(message)}`);
  return [bash(parts.join(' && '), message)];
}

export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A scripted agent that reacts to what it is told instead of replaying a fixed
 * queue: `decide` sees every main request of its route and returns the next
 * turn. Stop-hook feedback, tool results and prompts all arrive as requests.
 */
export function reactive(decide: (req: MessagesRequest, ctx: AgentContext) => Turn, max = 60): ScriptStep[] {
  const ctx: AgentContext = { n: 0, seen: [] };
  const step = (req: MessagesRequest, srv: { url: string; port: number }): Turn => {
    ctx.n++;
    ctx.server = srv;
    ctx.seen.push(withoutReminders(lastUserText(req)));
    return decide(req, ctx);
  };
  return Array.from({ length: max }, () => step);
}

export interface AgentContext {
  /** Requests answered so far, this one included. */
  n: number;
  /** The last user text of each request (prompt, tool result, Stop-hook feedback). */
  seen: string[];
  server?: { url: string; port: number };
  [key: string]: unknown;
}

/**
 * Text without Claude Code's `<system-reminder>` blocks: newer versions (2.1.329)
 * append one to tool results and put one before "Stop hook feedback:".
 */
export function withoutReminders(text: string): string {
  return text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();
}

/** The text of the latest tool result (reminders left out), and whether it was an error. */
export function toolResult(req: MessagesRequest): { text: string; isError: boolean } | undefined {
  const block = lastToolResult(req);
  if (block === undefined) return undefined;
  return { text: withoutReminders(textOf(block.content)), isError: block.is_error === true };
}

/** True when the request's last user message is a tool result (not a prompt or hook feedback). */
export function answersTool(req: MessagesRequest): boolean {
  const last = [...req.messages].reverse().find((m) => m.role === 'user');
  return Array.isArray(last?.content) && last.content.some((b) => b.type === 'tool_result');
}

/**
 * The end of most scenario scripts: once the last tool call is answered, run
 * `flux done` (once), then say the stage is done.
 */
export function declareDone(req: MessagesRequest, ctx: AgentContext): Turn {
  if (answersTool(req) && ctx.done !== true) {
    ctx.done = true;
    return { tools: [bash('flux done', 'declare the stage done')] };
  }
  return say('The stage is done.');
}

/** The last user text (reminders left out) of every main request routed to `marker`. */
export function conversation(server: ModelServer, marker: string): string[] {
  return server.requests
    .filter((r) => r.kind === 'main' && r.body !== undefined && r.route === marker)
    .map((r) => withoutReminders(lastUserText(r.body!)));
}

/** The first user message (Flux's first prompt is its last text block) of a route's first request. */
export function firstPrompt(server: ModelServer, marker: string): string | undefined {
  const req = server.requests.find((r) => r.kind === 'main' && r.route === marker)?.body;
  const first = req?.messages.find((m) => m.role === 'user');
  if (first === undefined) return undefined;
  if (typeof first.content === 'string') return first.content;
  const texts = first.content.filter((b) => b.type === 'text').map((b) => b.text ?? '');
  return texts.at(-1);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
