/**
 * Runs the built simulated agent (`dist/`) as its own process in a temporary
 * git repository, with FLUX_COMMAND pointing at recorder.mjs, which logs every
 * hook and flux call and answers what a test queued. Build first.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { waitFor } from '../../helpers/wait.js';
import { isolatedGitEnv, tempDir, tempRepo, type TempRepo } from '../../helpers/temp-repo.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN_SIM = path.join(HERE, 'run-sim.mjs');
const RECORDER = path.join(HERE, 'recorder.mjs');
const BUILT = path.resolve(HERE, '..', '..', '..', 'dist', 'agents', 'sim', 'main.js');

export interface Call {
  argv: string[];
  /** Parsed hook JSON; null for flux commands. */
  stdin: Record<string, unknown> | null;
  cwd: string;
  env: Record<string, string>;
}

export interface HookCall {
  hook: string;
  input: Record<string, unknown>;
}

export type Answers = Record<
  string,
  { stdout?: unknown; stderr?: string; exitCode?: number; sticky?: boolean }[]
>;

export interface SimRun {
  repo: TempRepo;
  workDir: string;
  stage: string;
  session: string;
  output(): string;
  calls(): Promise<Call[]>;
  hooks(): Promise<HookCall[]>;
  waitForHooks(predicate: (hooks: HookCall[]) => boolean, what: string): Promise<HookCall[]>;
  waitForOutput(text: string): Promise<void>;
  /** Resolves when the process ends. */
  exited: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SimRunOptions {
  script: unknown;
  prompt?: string;
  answers?: Answers;
  stage?: string;
}

const runs: { child: ResultPromise; cleanup: () => Promise<void> }[] = [];

export async function startSim(options: SimRunOptions): Promise<SimRun> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} does not exist: run \`npm run build\` first`);
  const repo = await tempRepo('flux-sim-repo-');
  const scratch = await tempDir('flux-sim-');
  const workDir = path.join(scratch, 'work');
  const recorderDir = path.join(scratch, 'recorder');
  await mkdir(recorderDir, { recursive: true });
  await writeFile(path.join(recorderDir, 'answers.json'), JSON.stringify(options.answers ?? {}));
  const scriptFile = path.join(scratch, 'script.json');
  const promptFile = path.join(scratch, 'prompt.md');
  await writeFile(scriptFile, JSON.stringify(options.script, null, 2));
  await writeFile(promptFile, options.prompt ?? 'Work on the stage.\n');

  const stage = options.stage ?? 'stage-1';
  const session = `${stage}.s1`;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('FLUX_')) env[key] = value;
  }
  Object.assign(env, isolatedGitEnv, {
    FLUX_SESSION: session,
    FLUX_STAGE: stage,
    FLUX_WORK_DIR: workDir,
    FLUX_COMMAND: JSON.stringify([process.execPath, RECORDER]),
    SIM_RECORDER_DIR: recorderDir,
  });
  const child = execa(process.execPath, [RUN_SIM, scriptFile, promptFile], {
    cwd: repo.root,
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    all: true,
  });
  let output = '';
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const cleanup = async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await child;
    await repo.cleanup();
    await execa('rm', ['-rf', scratch]);
  };
  runs.push({ child, cleanup });

  const calls = async (): Promise<Call[]> => {
    const text = await readFile(path.join(recorderDir, 'calls.jsonl'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Call);
  };
  const hooks = async (): Promise<HookCall[]> =>
    (await calls())
      .filter((call) => call.argv[0] === 'hook')
      .map((call) => ({ hook: call.argv[1] ?? '', input: call.stdin ?? {} }));

  return {
    repo,
    workDir,
    stage,
    session,
    output: () => output,
    calls,
    hooks,
    waitForHooks: (predicate, what) =>
      waitFor(
        async () => {
          const seen = await hooks();
          return predicate(seen) ? seen : undefined;
        },
        { timeoutMs: 45_000, what },
      ),
    waitForOutput: (text) =>
      waitFor(() => (output.includes(text) ? true : undefined), {
        timeoutMs: 45_000,
        what: `output ${text}`,
      }).then(() => undefined),
    exited: child.then((result) => ({ exitCode: result.exitCode, signal: result.signal })),
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  };
}

/** Kills what a test left running and removes its directories; for afterEach. */
export async function cleanupSims(): Promise<void> {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
}

/** The hook names in order, without the status line calls. */
export function hookNames(hooks: HookCall[], withStatusLine = false): string[] {
  return hooks.filter((h) => withStatusLine || h.hook !== 'StatusLine').map((h) => h.hook);
}
