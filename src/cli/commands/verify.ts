/**
 * `flux verify <id> [--approve | --reject --reason <text>] [--no-merge] [--no-start]`: the
 * human gate. For a completed stage it runs the acceptance commands in the
 * stage's worktree (output live), shows the commits and the diffstat against
 * the base branch, the changed files outside the stage's `files` globs and
 * the predicted merge, then asks the person to approve or reject. Approving
 * records `stage.verified` and merges (unless `--no-merge`); rejecting
 * records `stage.rejected`, and the stage's next session is told the reason.
 * Either way what the decision lets start starts, with a supervisor to carry
 * on (src/cli/carry-on.ts). The steps are src/cli/actions/verify.ts's, shared
 * with the dashboard's review.
 */
import { createInterface, type Interface } from 'node:readline';
import { requireStage } from '../../engine/lookup.js';
import { Runtime } from '../../engine/runtime.js';
import type { StageState } from '../../engine/state.js';
import { requireVerifiable, type Verdict } from '../../engine/verify.js';
import { ExitCode, UsageError } from '../../errors.js';
import {
  acceptanceStartLine,
  acceptanceSummary,
  changesLines,
  commandLine,
  mergeApproved,
  recordApproval,
  rejectStage,
  rejectedLines,
  resultLine,
  reviewAcceptance,
  reviewChanges,
} from '../actions/verify.js';
import { carryOnAndSay, sayCarryOn } from '../carry-on.js';
import { reportMerge, shownPath } from '../merge-report.js';
import { paint, print, warn } from '../output.js';

interface VerifyOptions {
  approve?: boolean;
  reject?: boolean;
  reason?: string;
  /** False with `--no-merge`. */
  merge?: boolean;
  /** False with `--no-start`: no supervisor is started to carry on. */
  start?: boolean;
}

/** Whether a person can be asked: stdin and stdout are a terminal. */
function interactive(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

function checkOptions(options: VerifyOptions): void {
  if (options.approve === true && options.reject === true)
    throw new UsageError('--approve and --reject exclude each other', 'choose one');
  if (options.reason !== undefined && options.reject !== true)
    throw new UsageError('--reason goes with --reject', 'e.g. `flux verify <id> --reject --reason "…"`');
  if (options.reason !== undefined && options.reason.trim() === '')
    throw new UsageError('--reason is empty', 'say what to change: the next session is told it');
  if (options.merge === false && options.reject === true)
    throw new UsageError('--no-merge goes with approving', 'a rejected stage is never merged');
}

/** Refuses to go on without a decision when there is no terminal to ask on (after the stage is known). */
function checkCanDecide(options: VerifyOptions): void {
  const decided = options.approve === true || (options.reject === true && options.reason !== undefined);
  if (!decided && !interactive()) {
    throw new UsageError(
      'flux verify needs --approve, or --reject --reason <text>, when it cannot ask (stdin is not a terminal)',
      'run it in a terminal to review and answer, or pass the decision on the command line',
    );
  }
}

// ---- asking ---------------------------------------------------------------------

/** One line reader for every question of a run, so typed-ahead answers are not lost between questions. */
let reader: { rl: Interface; closed: Promise<null>; isClosed: () => boolean } | undefined;

function lineReader(): NonNullable<typeof reader> {
  if (reader === undefined) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    let closed = false;
    const closedPromise = new Promise<null>((resolve) =>
      rl.once('close', () => {
        closed = true;
        resolve(null);
      }),
    );
    reader = { rl, closed: closedPromise, isClosed: () => closed };
  }
  return reader;
}

function closeReader(): void {
  reader?.rl.close();
  reader = undefined;
}

/** Asks until `accept` returns a value; null when input ends (Ctrl+D). */
async function ask<T>(question: string, accept: (answer: string) => T | undefined): Promise<T | null> {
  const { rl, closed, isClosed } = lineReader();
  for (;;) {
    if (isClosed()) return null;
    const answer = await Promise.race([
      new Promise<string>((resolve) => rl.question(question, resolve)),
      closed,
    ]);
    if (answer === null) return null;
    const value = accept(answer.trim());
    if (value !== undefined) return value;
  }
}

async function askReason(): Promise<string | null> {
  return ask('Why is it rejected? (the next session is told this) ', (answer) => {
    if (answer !== '') return answer;
    print('A reason is needed: say what to change.');
    return undefined;
  });
}

async function askVerdict(defaultReject: boolean): Promise<Verdict | null> {
  const choice = await ask(
    `Approve, reject, or quit? ${defaultReject ? '[a/R/q]' : '[a/r/q]'} `,
    (answer): 'a' | 'r' | 'q' | undefined => {
      const word = answer.toLowerCase();
      if (word === '' && defaultReject) return 'r';
      if (word === 'a' || word === 'approve') return 'a';
      if (word === 'r' || word === 'reject') return 'r';
      if (word === 'q' || word === 'quit') return 'q';
      print('Answer a (approve and merge), r (reject, with a reason) or q (quit, record nothing).');
      return undefined;
    },
  );
  if (choice === null || choice === 'q') return null;
  if (choice === 'a') return { kind: 'approve' };
  const reason = await askReason();
  return reason === null ? null : { kind: 'reject', reason };
}

// ---- the review -----------------------------------------------------------------

/** Runs the acceptance commands with their output live; null when they could not run. */
async function showAcceptance(
  runtime: Runtime,
  stage: StageState,
  worktree: string,
): Promise<boolean | null> {
  let endsInNewline = true;
  const review = await reviewAcceptance(runtime, stage, worktree, {
    onStart: (count, where) => print(acceptanceStartLine(count, where)),
    onCommand: (command) => {
      print(commandLine(command));
      endsInNewline = true;
    },
    onOutput: (chunk) => {
      process.stdout.write(chunk);
      endsInNewline = chunk.endsWith('\n');
    },
    onResult: (result) => {
      if (!endsInNewline) print();
      print(resultLine(result));
    },
  });
  const summary = acceptanceSummary(review);
  for (const line of summary.lines) print(line);
  return summary.passed;
}

// ---- recording --------------------------------------------------------------------

async function approve(runtime: Runtime, id: string, merge: boolean, start: boolean): Promise<number> {
  const committed = recordApproval(runtime, id);
  print(paint(`Approved ${id}.`, 'green'));
  if (!merge) {
    print(
      `Not merged (--no-merge): \`flux merge ${id}\` merges it. A \`flux run\` that is watching merges approved stages too.`,
    );
    return ExitCode.ok;
  }
  // The merge is the runtime's (under the effects lock): if a watching `flux run` got there
  // first, this reports the merge it recorded.
  const { outcome, carried } = await mergeApproved(runtime, id, committed, { start });
  const exit = outcome === null ? ExitCode.ok : reportMerge(runtime, id, outcome);
  sayCarryOn(carried);
  return exit;
}

async function reject(runtime: Runtime, id: string, reason: string, start = true): Promise<number> {
  await rejectStage(runtime, id, reason);
  for (const line of rejectedLines(id, reason)) print(line);
  await carryOnAndSay(runtime, { start });
  return ExitCode.ok;
}

export async function run(id: string, options: VerifyOptions): Promise<number> {
  try {
    return await verify(id, options);
  } finally {
    closeReader();
  }
}

async function verify(id: string, options: VerifyOptions): Promise<number> {
  checkOptions(options);
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const stage = requireStage(state, id);
  requireVerifiable(state, stage);
  checkCanDecide(options);
  const merge = options.merge !== false;

  if (options.reject === true) {
    const reason = options.reason ?? (await askReason());
    if (reason === null) {
      print(`Nothing recorded; ${id} is still completed.`);
      return ExitCode.ok;
    }
    return reject(runtime, id, reason, options.start !== false);
  }

  const base = runtime.baseBranch(state);
  const worktree = runtime.worktreePath(id);
  print(`${paint(`Reviewing ${id}: ${stage.def.name}`, 'bold')}`);
  print(paint(`branch ${runtime.branchName(id)} → ${base}, worktree ${shownPath(runtime, worktree)}`, 'dim'));
  print();
  const passed = await showAcceptance(runtime, stage, worktree);
  print();
  for (const line of changesLines(await reviewChanges(runtime, stage, base, worktree))) print(line);
  if (passed === false) {
    print();
    print(paint(`✗ Acceptance failed at verify time: look at the failures above before you approve.`, 'red'));
  }
  print();

  let verdict: Verdict | null;
  if (options.approve === true) {
    if (passed === false) warn(`approving ${id} although its acceptance commands fail now (--approve)`);
    verdict = { kind: 'approve' };
  } else {
    verdict = await askVerdict(passed === false);
  }
  if (verdict === null) {
    print(`Nothing recorded; ${id} is still completed.`);
    return ExitCode.ok;
  }
  return verdict.kind === 'approve'
    ? approve(runtime, id, merge, options.start !== false)
    : reject(runtime, id, verdict.reason, options.start !== false);
}
