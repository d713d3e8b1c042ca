/**
 * Setting up a new worktree before its agent starts (docs/setup.md): the
 * ignored files `.worktreeinclude` and `[worktree] copy` name are copied
 * from the main worktree, then the setup commands run in it (the plan's
 * `setup`, then the stage's; an ad hoc task's `[task] setup`), one after
 * the other, each in its own process group under `run.setup_timeout`, the
 * way acceptance commands run. Their output goes to `.work/logs/`; the start
 * and the outcome are events. A failure throws SetupFailedError (the
 * launch records the stage as failed); `flux resume` sets up again.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddWorktreeResult } from '../../effects/git/parse.js';
import { copyIncluded, listIncluded, readWorktreeInclude } from '../../effects/worktree-include.js';
import { ExternalError, FluxError } from '../../errors.js';
import type { AcceptanceResult } from '../../log/events.js';
import { settle } from '../decide.js';
import { isTask, type FluxState, type StageState } from '../state.js';
import type { Runtime } from '../runtime.js';

/** A setup command failed or timed out, or the copy could not be made. */
export class SetupFailedError extends ExternalError {}

/** The commands a stage's new worktree runs: the plan's, then its own (an ad hoc task has only its own). */
export function setupCommands(state: FluxState, stage: StageState): string[] {
  const own = stage.def.setup ?? [];
  return isTask(stage) ? [...own] : [...(state.plan?.setup ?? []), ...own];
}

/**
 * Whether the worktree still needs its setup: it was just made (created, or
 * attached to the stage's branch again), or its last setup did not pass
 * (a failure, or Flux stopped half-way).
 */
export function needsSetup(stage: StageState, outcome: AddWorktreeResult['outcome']): boolean {
  return outcome !== 'existing' || stage.setup?.status !== 'passed';
}

/** One line: which command failed and how. */
export function describeSetupFailure(result: AcceptanceResult): string {
  if (result.timed_out) return `\`${result.command}\` did not finish within the setup timeout`;
  return `\`${result.command}\` exited with ${result.exit_code === null ? 'a signal' : result.exit_code}`;
}

/** Sets up the worktree of a session the log has started, unless it is set up already. */
export async function setUpWorktree(
  rt: Runtime,
  stageId: string,
  sessionId: string,
  worktree: string,
  outcome: AddWorktreeResult['outcome'],
  host: string | null = null,
): Promise<void> {
  const state = rt.engine.load();
  const stage = state.stages[stageId]!;
  if (!needsSetup(stage, outcome)) return;
  const commands = setupCommands(state, stage);
  const { needed, include } = await checkoutNeeds(rt, commands);
  if (!needed) return;

  const log = path.join('logs', `setup-${sessionId}.log`);
  const logFile = path.join(rt.engine.ws.workDir, log);
  mkdirSync(path.dirname(logFile), { recursive: true });
  writeFileSync(logFile, `# setup of ${stageId} (${sessionId}) in ${worktree}\n`);
  const write = (text: string) => appendFileSync(logFile, text);
  rt.engine.commit((current) =>
    settle(current, [{ type: 'setup.started', stage: stageId, session: sessionId, commands, log }]),
  );
  rt.note(`${stageId}: setting up its worktree (${log})`);

  const finish = (copied: string[], results: AcceptanceResult[], error?: string) =>
    rt.engine.commit((current) =>
      settle(current, [
        {
          type: 'setup.finished',
          stage: stageId,
          session: sessionId,
          copied,
          results,
          passed: error === undefined && results.every(passedResult),
          ...(error === undefined ? {} : { error }),
        },
      ]),
    );

  const prepared = await prepareCheckout(rt, worktree, commands, include, write, host);
  finish(prepared.copied, prepared.results, prepared.error?.message);
  if (prepared.error !== undefined)
    throw new SetupFailedError(`setup failed: ${prepared.error.message}`, prepared.error.hint);
  const failed = prepared.results.find((result) => !passedResult(result));
  if (failed === undefined) return;
  throw new SetupFailedError(
    `setup failed: ${describeSetupFailure(failed)} (output: .work/${log})`,
    `fix it, then \`flux resume ${stageId}\` sets the worktree up again and starts the agent`,
  );
}

/**
 * Makes `dir` a working copy: the ignored files `.worktreeinclude` and
 * `[worktree] copy` name, copied from the main checkout, then the setup
 * commands, one at a time (the first failure ends it). A stage's new worktree
 * and the merge queue's integration worktree are prepared the same way, so a
 * check sees what the stage's own acceptance saw.
 */
export async function prepareCheckout(
  rt: Runtime,
  dir: string,
  commands: readonly string[],
  include: string | null | FluxError,
  write: (text: string) => void,
  host: string | null = null,
): Promise<{ copied: string[]; results: AcceptanceResult[]; error?: FluxError }> {
  let copied: string[] = [];
  // Ignored files are this machine's; a host's worktree gets only what git has (docs/hosts.md).
  if (host !== null) write(`# on ${host}: no ignored files are copied there\n`);
  else
    try {
      if (include instanceof Error) throw include;
      copied = await listIncluded(rt.root, include !== null, rt.config.worktree.copy);
      write(
        copied.length === 0 ? '# nothing to copy\n' : `# copied from ${rt.root}:\n${copied.join('\n')}\n`,
      );
      await copyIncluded(rt.root, dir, copied);
    } catch (error) {
      if (!(error instanceof FluxError)) throw error;
      write(`# the copy failed: ${error.message}\n`);
      return { copied, results: [], error };
    }
  const results: AcceptanceResult[] = [];
  for (const command of commands) {
    write(`\n$ ${command}\n`);
    const {
      results: [result],
    } = await rt.runAcceptance({
      cwd: dir,
      commands: [command],
      timeoutMs: rt.config.run.setup_timeout * 1000,
      onOutput: (chunk) => write(chunk),
      host,
    });
    results.push(result!);
    write(
      `\n# ${result!.timed_out ? 'timed out' : `exit ${result!.exit_code}`} after ${result!.duration_ms} ms\n`,
    );
    if (!passedResult(result!)) break;
  }
  return { copied, results };
}

/** Whether a checkout needs preparing at all: setup commands, or files to copy. */
export async function checkoutNeeds(
  rt: Runtime,
  commands: readonly string[],
): Promise<{ needed: boolean; include: string | null | FluxError }> {
  const include = await readWorktreeInclude(rt.root).catch((error: unknown) => error as FluxError);
  return { needed: commands.length > 0 || include !== null || rt.config.worktree.copy.length > 0, include };
}

export function passedResult(result: AcceptanceResult): boolean {
  return result.exit_code === 0 && !result.timed_out;
}

/**
 * The merge queue's integration worktree, before its checks: prepared as the
 * stage's own worktree was (docs/merge-queue.md), its output in
 * `.work/logs/merge-setup-<stage>.log`. A failure is the check's failure.
 */
export async function prepareIntegration(
  rt: Runtime,
  stageId: string,
  dir: string,
): Promise<{ passed: true } | { passed: false; results: AcceptanceResult[] }> {
  const state = rt.engine.load();
  const commands = setupCommands(state, state.stages[stageId]!);
  const { needed, include } = await checkoutNeeds(rt, commands);
  if (!needed) return { passed: true };
  const logFile = path.join(rt.engine.ws.workDir, 'logs', `merge-setup-${stageId}.log`);
  mkdirSync(path.dirname(logFile), { recursive: true });
  writeFileSync(logFile, `# setup of the integration worktree ${dir} for ${stageId}\n`);
  const prepared = await prepareCheckout(rt, dir, commands, include, (text) => appendFileSync(logFile, text));
  if (prepared.error !== undefined)
    return {
      passed: false,
      results: [
        {
          command: `copying the ignored files into ${dir}`,
          exit_code: 1,
          timed_out: false,
          duration_ms: 0,
          output_tail: prepared.error.message,
        },
      ],
    };
  return prepared.results.every(passedResult)
    ? { passed: true }
    : { passed: false, results: prepared.results };
}
