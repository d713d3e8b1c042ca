/**
 * `flux agent sim --script <file.json> --prompt-file <file.md>`: the
 * simulated agent, standing in for `claude` in a stage's tmux pane
 * (docs/sim-agent.md). It plays its script, then idles like Claude Code
 * until it is told to end (SIGTERM, SIGHUP, SIGINT), which it reports
 * through SessionEnd before exiting 0.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { ENV } from '../protocol.js';
import { Hooks } from './hooks.js';
import { fluxCommand } from './process.js';
import { loadSimScript } from './script.js';
import { Screen } from './screen.js';
import { SimSession, type Outcome } from './session.js';

export interface SimAgentOptions {
  /** The script (JSON). */
  script: string;
  /** The first prompt, as Flux wrote it for the session. */
  promptFile: string;
  /** The worktree; the current directory by default. */
  cwd?: string;
  /** FLUX_SESSION, FLUX_STAGE, FLUX_WORK_DIR, FLUX_COMMAND and the rest; this process's by default. */
  env?: NodeJS.ProcessEnv;
}

const END_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;

async function readPrompt(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the prompt file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Waits for the end signal; the timer keeps Node alive meanwhile, as Claude's input box does. */
async function idle(signal: AbortSignal): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await whenAborted(signal);
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * Runs one session and returns the process exit code: 0 after an end signal,
 * the script's code for `exit` and `crash` (a crash skips SessionEnd, as a
 * killed agent would). Never calls process.exit itself.
 */
export async function runSimAgent(options: SimAgentOptions): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const script = await loadSimScript(options.script);
  const prompt = await readPrompt(options.promptFile);
  const flux = fluxCommand(env);
  const screen = new Screen();
  if (flux === undefined)
    screen.note(`${ENV.fluxCommand} is not set: no hooks are called and flux commands fail.`);

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => controller.abort(signal);
  for (const signal of END_SIGNALS) process.on(signal, onSignal);
  try {
    const session = new SimSession({
      script,
      prompt,
      cwd,
      env,
      flux,
      hooks: new Hooks({ command: flux, cwd, env, screen }),
      screen,
      signal: controller.signal,
      stage: env[ENV.stage] ?? 'unknown-stage',
      session: env[ENV.session] ?? `sim-${process.pid}`,
      workDir: env[ENV.workDir] ?? path.join(os.tmpdir(), 'flux-sim'),
    });
    const ended = whenAborted(controller.signal).then((): Outcome | undefined => undefined);
    const outcome = await Promise.race([session.run(), ended]);
    if (outcome?.kind === 'crash') {
      process.stderr.write(`simulated crash (exit code ${outcome.code})\n`);
      return outcome.code;
    }
    if (outcome?.kind === 'exit') {
      await session.end('prompt_input_exit');
      return outcome.code;
    }
    if (outcome?.kind === 'idle') {
      screen.idle();
      await idle(controller.signal);
    }
    // Ctrl+C is how a person quits Claude Code; tmux kill-session and Flux send SIGHUP or SIGTERM.
    await session.end(controller.signal.reason === 'SIGINT' ? 'prompt_input_exit' : 'other');
    return 0;
  } finally {
    for (const signal of END_SIGNALS) process.off(signal, onSignal);
  }
}

/** The command's action: `flux agent sim --script <file> --prompt-file <file>`. */
export function run(options: { script: string; promptFile: string }): Promise<number> {
  return runSimAgent(options);
}
