/**
 * Scenario rig for the human commands (verify, merge, resume, attach,
 * sessions, worktree): a temporary repository with a plan and `flux init`
 * done, the simulated agent, real git, and real tmux on a private server
 * (`FLUX_TMUX_SOCKET`) that `cleanup` kills.
 *
 * Flux runs from a private copy of the bundle (dist/bin, `npm run build`
 * first), taken when the rig is made: the agents in tmux call `flux hook`
 * and `flux done` for as long as they live, and a rebuild meanwhile must not
 * pull the binary from under them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { tempRepoWithPlan, type FluxResult, type PlanRepo } from '../../helpers/cli.js';
import {
  execFlux,
  fluxRunEnv,
  fluxStatus,
  planDocument,
  readEvents,
  setConfig,
  type RunSettings,
  snapshotFlux,
  tmuxSessionNames,
  writeSimScript,
  type LogEvent,
  type StatusJson,
} from '../../helpers/flux-run.js';
import { privateTmux, type PrivateTmux } from '../../helpers/private-tmux.js';
import { waitFor } from '../../helpers/wait.js';

export type { LogEvent, StatusJson };

/** A plan document with the given stages (YAML list items, indented under `stages:`). */
export const plan = planDocument;

export interface Rig {
  repo: PlanRepo;
  root: string;
  /** Flux's private tmux server. */
  tmux: PrivateTmux;
  env: Record<string, string>;
  /** The private copy of dist/bin/main.js. */
  bin: string;
  flux(
    args: readonly string[],
    options?: { cwd?: string; env?: Record<string, string> },
  ): Promise<FluxResult>;
  /** `flux run` to its end (it returns when nothing can move without a person). */
  run(args?: readonly string[]): Promise<FluxResult>;
  /** `flux run` in the background, for scenarios that need a live session. */
  startRun(): { child: ChildProcess; stop(): Promise<void> };
  status(): Promise<StatusJson>;
  stageStatus(id: string): Promise<string | undefined>;
  events(): LogEvent[];
  read(file: string): string;
  exists(file: string): boolean;
  git(args: readonly string[], cwd?: string): Promise<string>;
  branchExists(branch: string): Promise<boolean>;
  tmuxSessions(): Promise<string[]>;
  writeSim(stage: string, script: object): void;
  cleanup(): Promise<void>;
}

export async function makeRig(
  planText: string,
  sims: Record<string, object> = {},
  settings: RunSettings = {},
): Promise<Rig> {
  const repo = await tempRepoWithPlan(planText);
  const tmux = privateTmux();
  const bin = snapshotFlux();
  const env = fluxRunEnv({ FLUX_TMUX_SOCKET: tmux.socket, FLUX_MAIN: bin });

  const flux: Rig['flux'] = (args, options = {}) =>
    execFlux(bin, env, path.resolve(repo.root, options.cwd ?? '.'), args, {
      env: options.env,
      timeout: 90_000,
    });
  const read = (file: string): string => readFileSync(path.join(repo.root, file), 'utf8');
  const writeSim = (stage: string, script: object): void => writeSimScript(repo.root, stage, script);
  const status = (): Promise<StatusJson> => fluxStatus(flux);

  const init = await flux(['init', repo.planPath]);
  if (init.exitCode !== 0) throw new Error(`flux init exited ${init.exitCode}: ${init.stderr}`);
  setConfig(path.join(repo.root, '.work', 'config.toml'), { agent: 'sim', ...settings });
  for (const [stage, script] of Object.entries(sims)) writeSim(stage, script);

  return {
    repo,
    root: repo.root,
    tmux,
    env,
    bin,
    flux,
    run: (args = []) => flux(['run', ...args]),
    startRun: () => {
      const child = spawn(process.execPath, [bin, 'run'], { cwd: repo.root, env, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      return {
        child,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          await exited;
        },
      };
    },
    status,
    stageStatus: async (id) => (await status()).stages.find((s) => s.id === id)?.status,
    events: () => readEvents(repo.root),
    read,
    exists: (file) => existsSync(path.join(repo.root, file)),
    git: (args, cwd) => repo.git(args, cwd === undefined ? repo.root : path.resolve(repo.root, cwd)),
    branchExists: async (branch) =>
      (await execa('git', ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
        cwd: repo.root,
        reject: false,
      }).then((r) => r.exitCode)) === 0,
    tmuxSessions: () => tmuxSessionNames(tmux),
    writeSim,
    cleanup: async () => {
      await tmux.killServer();
      // Agents killed with the server may still be writing their last hook's event for a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await rm(repo.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      rmSync(path.dirname(path.dirname(bin)), { recursive: true, force: true });
    },
  };
}

/**
 * A terminal for a person: a pane on a tmux server of its own (not Flux's),
 * running `command` through `sh`, which prints `exit=<code>` when it ends and
 * then keeps the pane open so the screen can still be read.
 */
export interface Terminal {
  screen(): Promise<string>;
  waitForScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** tmux key names (`Enter`, `C-b`) or, with `literal`, text typed as is. */
  keys(keys: readonly string[], literal?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function openTerminal(
  cwd: string,
  argv: readonly string[],
  env: Record<string, string>,
): Promise<Terminal> {
  const server = privateTmux();
  const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;
  const script = `${argv.map(quote).join(' ')}; echo "exit=$?"; sleep 600`;
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  const created = await server.tmux([
    'new-session',
    '-d',
    '-s',
    'person',
    '-x',
    '160',
    '-y',
    '50',
    '-c',
    cwd,
    ...envArgs,
    '--',
    '/bin/sh',
    '-c',
    script,
  ]);
  if (created.exitCode !== 0) throw new Error(`cannot open a terminal: ${created.stderr}`);
  const screen = async (): Promise<string> =>
    (await server.tmux(['capture-pane', '-p', '-J', '-t', '=person:', '-S', '-200'])).stdout;
  return {
    screen,
    waitForScreen: (pattern, timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const text = await screen();
          return pattern.test(text) ? text : undefined;
        },
        { timeoutMs, what: `${pattern} on the terminal` },
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}; the screen:\n${await screen()}`);
      }),
    keys: async (keys, literal = false) => {
      await server.tmux(['send-keys', ...(literal ? ['-l'] : []), '-t', '=person:', '--', ...keys]);
    },
    close: () => server.killServer(),
  };
}

/** The sim script of a stage that writes `file` (appending `line`), commits, and declares done. */
export function doneScript(file: string, line: string, extra: object[] = []): object {
  return {
    turns: [
      {
        say: `Working on ${file}.`,
        context: 20,
        actions: [
          { append: { path: file, content: `${line}\n` } },
          ...extra,
          { commit: `Write ${file}` },
          { flux: ['done'] },
        ],
      },
    ],
  };
}
