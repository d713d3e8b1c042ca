// One-call fixture for e2e tests: a temp repo, a scripted model server, an
// isolated claude environment and a claude session in the rig's tmux server.
import { execFileSync } from 'node:child_process';
import { createClaudeEnv, type ClaudeEnv, type ClaudeEnvOptions } from './claude-env.js';
import { claudeInstalled, CLAUDE_BIN, startClaude, waitFor, type ClaudeSession } from './claude-session.js';
import { startModelServer, type ModelServer, type Scenario } from './model-server.js';
import { createTempRepo, type TempRepo } from './temp-repo.js';
import type { Tmux } from './tmux.js';

/**
 * A 200k-window model (the default model of 2.1.197 has a 1M window), so that
 * scripted usage maps to round percentages: 150000 input tokens → 75%.
 */
export const RIG_MODEL = 'claude-sonnet-4-5';

/** Usage of a scripted turn with `input` tokens of context in use. */
export const usage = (input: number) => ({
  input_tokens: input,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  output_tokens: 5,
});

export const DEFAULT_ARGS = [
  '--model',
  RIG_MODEL,
  '--permission-mode',
  'acceptEdits',
  '--allowedTools',
  'Bash(git:*)',
];

export interface RigOptions {
  tmux: Tmux;
  name: string;
  scenario: Scenario;
  prompt?: string;
  /** Replaces DEFAULT_ARGS. */
  args?: string[];
  env?: Omit<ClaudeEnvOptions, 'baseUrl' | 'projectDirs'> & { trust?: boolean };
  /** Runs before claude starts (e.g. to queue hook answers or add files). */
  before?: (ctx: { env: ClaudeEnv; repo: TempRepo; server: ModelServer }) => void;
  keepDeadPane?: boolean;
}

export interface Rig {
  session: ClaudeSession;
  server: ModelServer;
  env: ClaudeEnv;
  repo: TempRepo;
  close(): Promise<void>;
}

export async function openRig(opts: RigOptions): Promise<Rig> {
  const repo = createTempRepo();
  const server = await startModelServer(opts.scenario);
  const trust = opts.env?.trust ?? true;
  const env = createClaudeEnv({ ...opts.env, baseUrl: server.url, projectDirs: trust ? [repo.dir] : [] });
  opts.before?.({ env, repo, server });
  const session = startClaude({
    tmux: opts.tmux,
    env,
    name: opts.name,
    cwd: repo.dir,
    prompt: opts.prompt ?? `Scripted task for ${opts.name}`,
    args: opts.args ?? DEFAULT_ARGS,
    keepDeadPane: opts.keepDeadPane,
  });
  return {
    session,
    server,
    env,
    repo,
    close: async () => {
      await stopSession(opts.tmux, opts.name);
      await server.close();
      env.cleanup();
      repo.cleanup();
    },
  };
}

/** Kills the tmux session and waits for claude to exit, so its files can be removed. */
export async function stopSession(tmux: Tmux, name: string): Promise<void> {
  if (!tmux.hasSession(name)) return;
  const { pid } = tmux.paneInfo(name);
  tmux.run(['kill-session', '-t', `=${name}`]);
  await waitFor(() => !isAlive(pid), `claude (pid ${pid}) to exit`, 10_000).catch(() => {
    process.kill(pid, 'SIGKILL');
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const hasCommand = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why the e2e suite cannot run here, or undefined when it can. */
export function skipReason(): string | undefined {
  if (!claudeInstalled())
    return `claude not installed at ${CLAUDE_BIN}: run \`node scripts/install-claude.mjs\` (or set FLUX_CLAUDE_BIN)`;
  if (!hasCommand('tmux')) return 'tmux is not installed';
  if (!hasCommand('curl')) return 'curl is not installed (the permission probes use it)';
  return undefined;
}
