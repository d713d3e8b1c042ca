/**
 * `flux verify <id> [--approve | --reject --reason <text>] [--no-merge]`: the
 * human gate. For a completed stage it runs the acceptance commands in the
 * stage's worktree (output live), shows the commits and the diffstat against
 * the base branch, the changed files outside the stage's `files` globs and
 * the predicted merge, then asks the person to approve or reject. Approving
 * records `stage.verified` and merges (unless `--no-merge`); rejecting
 * records `stage.rejected`, and the stage's next session is told the reason.
 */
import { existsSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { requireStage } from '../../engine/lookup.js';
import { Runtime } from '../../engine/runtime.js';
import type { StageState } from '../../engine/state.js';
import {
  decideReview,
  decideVerdict,
  outsideFiles,
  requireVerifiable,
  type Verdict,
} from '../../engine/verify.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { AcceptanceResult } from '../../log/events.js';
import { carryOnAndSay, mergeThenCarryOn, sayCarryOn } from '../carry-on.js';
import { humanActor } from '../human-only.js';
import { printPrediction, reportMerge, shownPath } from '../merge-report.js';
import { paint, print, table, warn } from '../output.js';

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

function describe(result: AcceptanceResult): string {
  const seconds = `${(result.duration_ms / 1000).toFixed(1)}s`;
  if (result.timed_out) return paint(`✗ ${result.command} (timed out after ${seconds})`, 'red');
  if (result.exit_code !== 0)
    return paint(`✗ ${result.command} (exited ${result.exit_code ?? 'by a signal'}, ${seconds})`, 'red');
  return paint(`✓ ${result.command} (${seconds})`, 'green');
}

/** Runs the acceptance commands with their output live; null when they could not run. */
async function reviewAcceptance(
  runtime: Runtime,
  stage: StageState,
  worktree: string,
): Promise<boolean | null> {
  const commands = stage.def.acceptance;
  if (commands.length === 0) {
    print('Acceptance: the plan lists no commands for this stage.');
    return true;
  }
  if (!existsSync(worktree)) {
    print(paint(`Acceptance: not run: there is no worktree at ${worktree}.`, 'yellow'));
    return null;
  }
  print(`Acceptance: ${commands.length} command(s) in ${shownPath(runtime, worktree)}`);
  const results: AcceptanceResult[] = [];
  for (const command of commands) {
    print(paint(`$ ${command}`, 'bold'));
    let endsInNewline = true;
    const report = await runtime.runAcceptance({
      cwd: worktree,
      commands: [command],
      timeoutMs: runtime.config.run.acceptance_timeout * 1000,
      onOutput: (chunk) => {
        process.stdout.write(chunk);
        endsInNewline = chunk.endsWith('\n');
      },
    });
    if (!endsInNewline) print();
    results.push(...report.results);
    print(describe(report.results[0]!));
  }
  runtime.engine.commit((current) => decideReview(current, stage.id, results));
  const failed = results.filter((r) => r.timed_out || r.exit_code !== 0);
  if (failed.length === 0) {
    print(paint('All acceptance commands pass.', 'green'));
    return true;
  }
  print(
    paint(
      `✗ ACCEPTANCE FAILED: ${failed.length} of ${results.length} command(s) failed: ${failed.map((r) => r.command).join(', ')}`,
      'red',
    ),
  );
  return false;
}

function countCell(n: number | null, sign: string): string {
  return n === null ? 'binary' : `${sign}${n}`;
}

/** Commits, diffstat, files outside the stage's globs, predicted merge. */
async function reviewChanges(
  runtime: Runtime,
  stage: StageState,
  base: string,
  worktree: string,
): Promise<void> {
  const { git } = runtime;
  const branch = runtime.branchName(stage.id);
  if (!(await git.branchExists(branch))) {
    print(paint(`There is no branch ${branch}: the stage has no commits to review or merge.`, 'yellow'));
    return;
  }
  const commits = await git.commitsAhead(branch, base);
  print(`Commits on ${branch} not in ${base}: ${commits.length}`);
  for (const subject of commits.slice(0, 20)) print(`  ${subject}`);
  if (commits.length > 20) print(`  … and ${commits.length - 20} more`);

  const stat = await git.diffStat(base, branch);
  print(
    `\nChanges against ${base}: ${stat.files.length} file(s), ${paint(`+${stat.insertions}`, 'green')} ${paint(`-${stat.deletions}`, 'red')}`,
  );
  if (stat.files.length > 0) {
    const rows = stat.files.map((f) => [`  ${f.path}`, countCell(f.added, '+'), countCell(f.deleted, '-')]);
    print(table(['', '', ''], rows).split('\n').slice(1).join('\n'));
  }

  const outside = outsideFiles(await git.changedFiles(base, branch), stage.def.files);
  if (outside.length > 0) {
    print(
      `\n${paint(`${outside.length} changed file(s) outside the stage's files`, 'yellow')} (${stage.def.files.join(', ')}):`,
    );
    for (const file of outside) print(`  ${file}`);
  } else if (stage.def.files.length > 0) {
    print(`\nEvery changed file is within the stage's files (${stage.def.files.join(', ')}).`);
  }

  if (existsSync(worktree)) {
    const dirty = await git.status(worktree);
    if (dirty.length > 0) {
      print(
        `\n${paint(`${dirty.length} uncommitted change(s) in the worktree`, 'yellow')} (not part of this review; they stop the merge):`,
      );
      for (const file of dirty.slice(0, 10)) print(`  ${file.code} ${file.path}`);
    }
  }
  print();
  printPrediction(base, await git.predictMerge(base, branch));
}

// ---- recording --------------------------------------------------------------------

async function approve(runtime: Runtime, id: string, merge: boolean, start: boolean): Promise<number> {
  const committed = runtime.engine.commit((current) => {
    requireVerifiable(current, requireStage(current, id));
    return decideVerdict(current, id, { kind: 'approve' }, humanActor());
  });
  print(paint(`Approved ${id}.`, 'green'));
  if (!merge) {
    print(
      `Not merged (--no-merge): \`flux merge ${id}\` merges it. A \`flux run\` that is watching merges approved stages too.`,
    );
    return ExitCode.ok;
  }
  // The merge is the runtime's (under the effects lock): if a watching `flux run` got there
  // first, this reports the merge it recorded.
  await runtime.perform(
    committed.effects.filter((effect) => !(effect.type === 'mergeStage' && effect.params.stage === id)),
  );
  if (!committed.effects.some((effect) => effect.type === 'mergeStage')) {
    await carryOnAndSay(runtime, { start });
    return ExitCode.ok;
  }
  const { outcome, carried } = await mergeThenCarryOn(runtime, id, { start });
  const exit = reportMerge(runtime, id, outcome);
  sayCarryOn(carried);
  return exit;
}

async function reject(runtime: Runtime, id: string, reason: string, start = true): Promise<number> {
  await runtime.commitAndRun((current) => {
    requireVerifiable(current, requireStage(current, id));
    return decideVerdict(current, id, { kind: 'reject', reason }, humanActor());
  });
  print(`Rejected ${id}: ${reason}`);
  print(
    `Its worktree and branch are kept. The next \`flux run\` (or \`flux resume ${id}\`) starts a fresh session on the branch, told why.`,
  );
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
  const passed = await reviewAcceptance(runtime, stage, worktree);
  print();
  await reviewChanges(runtime, stage, base, worktree);
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
