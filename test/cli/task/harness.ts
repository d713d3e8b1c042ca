/**
 * Scenario rig for ad hoc tasks (`flux task …`): a repository `proj` in a
 * temporary folder of its own (task worktrees go beside it, `../proj-<id>`,
 * and are removed with it), real git, real tmux on a private server
 * (`FLUX_TMUX_SOCKET`), the simulated agent, and a private copy of the
 * bundled `flux` (`npm run build` first).
 *
 * `inPane` runs a flux command inside a pane of that private server, so
 * `$TMUX` and `$TMUX_PANE` are set as for a person working in tmux; its
 * output and exit code come back through files.
 */
import { execFileSync } from 'node:child_process';
import {
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
import { execa } from 'execa';
import { ensureTaskWorkspace } from '../../../src/engine/workspace-create.js';
import type { FluxResult } from '../../helpers/cli.js';
import { snapshotFlux, type LogEvent } from '../../helpers/flux-run.js';
import { privateTmux, type PrivateTmux } from '../../helpers/private-tmux.js';
import { isolatedGitEnv } from '../../helpers/temp-repo.js';
import { waitFor } from '../../helpers/wait.js';

export type { LogEvent };

export interface TaskRig {
  /** The folder holding the repository and the task worktrees. */
  parent: string;
  /** The repository's main worktree (`<parent>/proj`). */
  root: string;
  tmux: PrivateTmux;
  env: Record<string, string>;
  bin: string;
  flux(
    args: readonly string[],
    options?: { cwd?: string; env?: Record<string, string | undefined> },
  ): Promise<FluxResult>;
  /** Runs flux inside a new pane (a new window of the session `human`) of the private tmux server. */
  inPane(args: readonly string[]): Promise<FluxResult & { pane: string }>;
  /** `.work/` as a first `flux task run` makes it, with `run.agent = "sim"`. */
  initWorkspace(): void;
  /** `.work/sim/<id>.json`. */
  writeSim(id: string, script: object): void;
  git(args: readonly string[], cwd?: string): string;
  commit(message: string, files: Record<string, string>, cwd?: string): void;
  branchExists(branch: string): boolean;
  events(): LogEvent[];
  /** Waits for an event of `type` about stage/task `id`. */
  waitForEvent(type: string, id: string, timeoutMs?: number): Promise<LogEvent>;
  tmuxSessions(): Promise<string[]>;
  /** Pane ids of the private server, with their labels and whether they are dead. */
  panes(): Promise<Array<{ id: string; label: string; dead: boolean; session: string }>>;
  cleanup(): Promise<void>;
}

/** The runner's variables that would change what flux or tmux do. */
const DROPPED = ['VISUAL', 'EDITOR', 'TMUX', 'TMUX_PANE', 'FORCE_COLOR', 'CLICOLOR_FORCE'];

const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

/** A sim script: write `file` (appending `line`), commit it, and run `flux done`. */
export function doneScript(file: string, line: string): object {
  return {
    turns: [
      {
        say: `Working on ${file}.`,
        context: 20,
        actions: [
          { append: { path: file, content: `${line}\n` } },
          { commit: `Write ${file}` },
          { flux: ['done'] },
        ],
      },
    ],
  };
}

/** A sim script that leaves `file` uncommitted and stops without `flux done`. */
export function dirtyScript(
  file: string,
  content: string,
  committed?: { file: string; content: string },
): object {
  return {
    turns: [
      {
        say: 'Half done.',
        context: 15,
        actions: [
          ...(committed === undefined
            ? []
            : [
                { write: { path: committed.file, content: committed.content } },
                { commit: `Add ${committed.file}` },
              ]),
          { write: { path: file, content } },
        ],
      },
    ],
  };
}

export async function makeTaskRig(): Promise<TaskRig> {
  const parent = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'flux-task-')));
  const root = path.join(parent, 'proj');
  mkdirSync(root);
  const git = (args: readonly string[], cwd = root): string =>
    execFileSync('git', args, {
      cwd,
      env: { ...process.env, ...isolatedGitEnv },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git(['init', '--quiet', '--initial-branch=main']);
  // Local identity: the agents commit from tmux panes, whose environment is the tmux server's.
  git(['config', 'user.name', 'Flux Test']);
  git(['config', 'user.email', 'flux-test@example.invalid']);
  git(['config', 'commit.gpgsign', 'false']);
  const commit = (message: string, files: Record<string, string>, cwd = root): void => {
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(cwd, file)), { recursive: true });
      writeFileSync(path.join(cwd, file), content);
    }
    git(['add', '-A'], cwd);
    git(['commit', '--quiet', '--allow-empty', '-m', message], cwd);
  };
  commit('initial commit', { 'README.md': '# proj\n' });

  const tmux = privateTmux();
  const bin = snapshotFlux();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !DROPPED.includes(key) && !key.startsWith('FLUX_')) env[key] = value;
  }
  Object.assign(env, isolatedGitEnv, {
    NO_COLOR: '1',
    FLUX_TMUX_SOCKET: tmux.socket,
    FLUX_MAIN: bin,
    FLUX_SUPERVISOR: 'off',
  });

  const flux: TaskRig['flux'] = async (args, options = {}) => {
    const merged: Record<string, string> = { ...env };
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    const result = await execa(process.execPath, [bin, ...args], {
      cwd: path.resolve(root, options.cwd ?? '.'),
      env: merged,
      extendEnv: false,
      reject: false,
      stripFinalNewline: false,
      stdin: 'ignore',
      timeout: 90_000,
    });
    return { exitCode: result.exitCode ?? 128, stdout: result.stdout, stderr: result.stderr };
  };

  let panes = 0;
  const inPane: TaskRig['inPane'] = async (args) => {
    const n = ++panes;
    const dir = path.join(parent, `pane-${n}`);
    mkdirSync(dir);
    const out = path.join(dir, 'out');
    const err = path.join(dir, 'err');
    const rc = path.join(dir, 'rc');
    // Only the rig's environment, plus the pane's own TMUX and TMUX_PANE.
    const assignments = Object.entries(env).map(([key, value]) => quote(`${key}=${value}`));
    const script =
      `env -i TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" ${assignments.join(' ')} ` +
      `${[process.execPath, bin, ...args].map(quote).join(' ')} > ${quote(out)} 2> ${quote(err)}; ` +
      `echo $? > ${quote(rc)}; exec sleep 600`;
    const hasHuman = (await tmux.tmux(['has-session', '-t', '=human'])).exitCode === 0;
    const created = await tmux.tmux(
      hasHuman
        ? ['new-window', '-d', '-P', '-F', '#{pane_id}', '-t', '=human:', '-c', root, '/bin/sh', '-c', script]
        : [
            'new-session',
            '-d',
            '-P',
            '-F',
            '#{pane_id}',
            '-s',
            'human',
            '-x',
            '200',
            '-y',
            '50',
            '-c',
            root,
            '/bin/sh',
            '-c',
            script,
          ],
    );
    if (created.exitCode !== 0) throw new Error(`cannot open a pane: ${created.stderr}`);
    await waitFor(() => (existsSync(rc) && readFileSync(rc, 'utf8').endsWith('\n') ? true : undefined), {
      timeoutMs: 60_000,
      what: `flux ${args.join(' ')} in a tmux pane`,
    });
    return {
      exitCode: Number(readFileSync(rc, 'utf8').trim()),
      stdout: readFileSync(out, 'utf8'),
      stderr: readFileSync(err, 'utf8'),
      pane: created.stdout.trim(),
    };
  };

  const logPath = path.join(root, '.work', 'events.jsonl');
  const events = (): LogEvent[] =>
    existsSync(logPath)
      ? readFileSync(logPath, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as LogEvent)
      : [];

  return {
    parent,
    root,
    tmux,
    env,
    bin,
    flux,
    inPane,
    initWorkspace: () => {
      const { ws } = ensureTaskWorkspace(root, 'main');
      writeFileSync(
        ws.configPath,
        readFileSync(ws.configPath, 'utf8').replace(/^agent = .*$/m, 'agent = "sim"'),
      );
    },
    writeSim: (id, script) => {
      const file = path.join(root, '.work', 'sim', `${id}.json`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(script, null, 2) + '\n');
    },
    git,
    commit,
    branchExists: (branch) => {
      try {
        git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
        return true;
      } catch {
        return false;
      }
    },
    events,
    waitForEvent: (type, id, timeoutMs = 30_000) =>
      waitFor(
        () => events().find((e) => e.type === type && (e.stage === id || e.session?.startsWith(`${id}.`))),
        {
          timeoutMs,
          what: `${type} of ${id}`,
        },
      ),
    tmuxSessions: async () => {
      const result = await tmux.tmux(['list-sessions', '-F', '#{session_name}']);
      return result.exitCode === 0 ? result.stdout.split('\n').filter((name) => name !== '') : [];
    },
    panes: async () => {
      const result = await tmux.tmux([
        'list-panes',
        '-a',
        '-F',
        '#{pane_id}\t#{@flux-label}\t#{pane_dead}\t#{session_name}',
      ]);
      if (result.exitCode !== 0) return [];
      return result.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [id = '', label = '', dead = '', session = ''] = line.split('\t');
          return { id, label, dead: dead === '1', session };
        });
    },
    cleanup: async () => {
      await tmux.killServer();
      // Agents killed with the server may still be writing their last hook's event for a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await rm(parent, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      rmSync(path.dirname(path.dirname(bin)), { recursive: true, force: true });
    },
  };
}
