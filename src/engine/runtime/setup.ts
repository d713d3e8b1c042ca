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
): Promise<void> {
  const state = rt.engine.load();
  const stage = state.stages[stageId]!;
  if (!needsSetup(stage, outcome)) return;
  const commands = setupCommands(state, stage);
  const include = await readWorktreeInclude(rt.root).catch((error: unknown) => error as FluxError);
  const patterns = rt.config.worktree.copy;
  if (commands.length === 0 && include === null && patterns.length === 0) return;

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

  let copied: string[] = [];
  try {
    if (include instanceof Error) throw include;
    copied = await listIncluded(rt.root, include !== null, patterns);
    write(copied.length === 0 ? '# nothing to copy\n' : `# copied from ${rt.root}:\n${copied.join('\n')}\n`);
    await copyIncluded(rt.root, worktree, copied);
  } catch (error) {
    if (!(error instanceof FluxError)) throw error;
    write(`# the copy failed: ${error.message}\n`);
    finish(copied, [], error.message);
    throw new SetupFailedError(`setup failed: ${error.message}`, error.hint);
  }

  // One command at a time, so the log shows each under its own heading; the first failure ends it.
  const results: AcceptanceResult[] = [];
  for (const command of commands) {
    write(`\n$ ${command}\n`);
    const {
      results: [result],
    } = await rt.runAcceptance({
      cwd: worktree,
      commands: [command],
      timeoutMs: rt.config.run.setup_timeout * 1000,
      onOutput: (chunk) => write(chunk),
    });
    results.push(result!);
    write(
      `\n# ${result!.timed_out ? 'timed out' : `exit ${result!.exit_code}`} after ${result!.duration_ms} ms\n`,
    );
    if (!passedResult(result!)) break;
  }
  finish(copied, results);
  const failed = results.find((result) => !passedResult(result));
  if (failed === undefined) return;
  throw new SetupFailedError(
    `setup failed: ${describeSetupFailure(failed)} (output: .work/${log})`,
    `fix it, then \`flux resume ${stageId}\` sets the worktree up again and starts the agent`,
  );
}

function passedResult(result: AcceptanceResult): boolean {
  return result.exit_code === 0 && !result.timed_out;
}
