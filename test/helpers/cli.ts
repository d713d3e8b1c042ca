/**
 * Running the built `flux` binary (`dist/cli/main.js`) the way a person does:
 * a separate node process, in a real git repository, without colour. Build
 * first (`npm run build`); `npm test` does.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { isolatedGitEnv, tempRepo, type TempRepo } from './temp-repo.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FLUX_BIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface FluxResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunFluxOptions {
  cwd: string;
  /** Added to (and overriding) the environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin (stdin is a pipe, never a TTY). */
  input?: string;
  /** Kill flux after this long (for tests of commands that must not hang); the exit code is then 128. */
  timeoutMs?: number;
}

/** Variables of the runner's environment that would change what flux does. */
const DROPPED = ['VISUAL', 'EDITOR', 'TMUX', 'TMUX_PANE', 'FORCE_COLOR', 'CLICOLOR_FORCE'];

function fluxEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !DROPPED.includes(key)) env[key] = value;
  }
  Object.assign(env, isolatedGitEnv, { NO_COLOR: '1', FLUX_SUPERVISOR: 'off' });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs `node dist/cli/main.js …args`; never throws on a non-zero exit. */
export async function runFlux(args: readonly string[], options: RunFluxOptions): Promise<FluxResult> {
  if (!existsSync(FLUX_BIN)) throw new Error(`${FLUX_BIN} does not exist: run \`npm run build\` first`);
  const result = await execa(process.execPath, [FLUX_BIN, ...args], {
    cwd: options.cwd,
    env: fluxEnv(options.env),
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  return {
    exitCode: result.exitCode ?? (result.signal === undefined ? -1 : 128),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** The example plan of the README, verbatim. */
export const README_PLAN = `# PLAN: Implement User Authentication

## Overview

[Freeform description of the plan...]

## Stages

[Freeform breakdown of stages...]

---

<!-- FLUX METADATA -->

\`\`\`yaml
flux:
  version: 1
  stages:
    - id: stage-1-models
      name: "Data Models"
      description: "Create User, Session, Token models"
      dependencies: []
      parallel_group: "foundation" # stages in same group run in parallel
      acceptance:
        - "cargo test --lib models"
        - "cargo clippy -- -D warnings"
      files:
        - "src/models/*.rs"

    - id: stage-2-api
      name: "API Endpoints"
      description: "Implement auth endpoints"
      dependencies: [stage-1-models]
      acceptance:
        - "cargo test --lib api"
      files:
        - "src/api/*.rs"

    - id: stage-3-frontend
      name: "Frontend Components"
      description: "Build login/signup UI"
      dependencies: [stage-1-models]
      parallel_group: "implementation" # parallel with stage-2
      acceptance:
        - "npm test"
      files:
        - "src/components/*.tsx"
\`\`\`

<!-- END FLUX METADATA -->
`;

export const PLAN_PATH = 'doc/plans/PLAN-auth.md';

export interface PlanRepo extends TempRepo {
  /** `PLAN_PATH`, relative to the root. */
  planPath: string;
  /** Runs flux in the repository (or in `cwd`, relative to the root). */
  flux(
    args: readonly string[],
    options?: Omit<RunFluxOptions, 'cwd'> & { cwd?: string },
  ): Promise<FluxResult>;
  /** Reads a file relative to the root. */
  read(file: string): Promise<string>;
  /** The event log's lines, parsed. */
  events(): Promise<Array<{ seq: number; type: string; [key: string]: unknown }>>;
}

const created: TempRepo[] = [];

/**
 * A temporary git repository (`main`, local identity, one commit) whose second
 * commit adds `planText` (the README's example by default) at `doc/plans/PLAN-auth.md`.
 * Remove them all with `cleanupTempRepos` in afterAll.
 */
export async function tempRepoWithPlan(planText: string = README_PLAN): Promise<PlanRepo> {
  const repo = await tempRepo('flux-cli-');
  created.push(repo);
  await repo.commit('Add the plan', { [PLAN_PATH]: planText });
  const read = (file: string): Promise<string> => readFile(path.join(repo.root, file), 'utf8');
  return {
    ...repo,
    planPath: PLAN_PATH,
    flux: (args, options = {}) =>
      runFlux(args, { ...options, cwd: path.resolve(repo.root, options.cwd ?? '.') }),
    read,
    events: async () =>
      (await read('.work/events.jsonl'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { seq: number; type: string }),
  };
}

/** Removes every repository `tempRepoWithPlan` made. */
export async function cleanupTempRepos(): Promise<void> {
  const repos = created.splice(0);
  await Promise.all(repos.map((repo) => repo.cleanup()));
}
