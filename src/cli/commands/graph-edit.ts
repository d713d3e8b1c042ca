/**
 * `flux graph edit`: open the plan in $VISUAL / $EDITOR, then validate it and
 * apply the change like `flux init --force`. An invalid edit is reported; in
 * a terminal the editor opens again, otherwise it exits 2 with nothing applied.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Engine } from '../../engine/engine.js';
import { commitPlan, describeChange } from '../../engine/plan-change.js';
import { ExternalError, PlanError, RefusedError } from '../../errors.js';
import { loadPlan } from '../../plan/load.js';
import type { Plan } from '../../plan/types.js';
import { print, printError } from '../output.js';

async function openEditor(file: string): Promise<void> {
  const editor = process.env.VISUAL ?? process.env.EDITOR ?? 'vi';
  // Like git, the editor setting is a command line ("code --wait"), so it goes through sh.
  const exitCode = await new Promise<number | string>((resolve) => {
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'flux-editor', file], { stdio: 'inherit' });
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code, signal) => resolve(code ?? `killed by ${signal ?? 'a signal'}`));
  });
  if (exitCode !== 0)
    throw new ExternalError(
      `the editor (${editor}) exited with ${exitCode}`,
      'the plan was not applied; run `flux graph edit` again',
    );
}

async function askAgain(): Promise<boolean> {
  if (process.stdin.isTTY !== true) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question('Edit again? [Y/n] ');
  rl.close();
  return !/^n/i.test(answer.trim());
}

export async function run(): Promise<number> {
  const engine = Engine.open();
  const state = engine.load();
  if (state.plan === null)
    throw new RefusedError('no plan has been initialised', 'run `flux init <plan-path>` first');
  const file = path.join(engine.ws.root, state.plan.path);

  let plan: Plan;
  for (;;) {
    await openEditor(file);
    try {
      plan = loadPlan(file, engine.ws.root);
      break;
    } catch (error) {
      if (!(error instanceof PlanError) || process.stdin.isTTY !== true) throw error;
      printError(error);
      if (!(await askAgain())) throw error;
    }
  }
  const { outcome } = commitPlan(engine, plan, state.baseBranch, true);
  if (outcome.kind === 'unchanged') print('Plan unchanged.');
  else {
    print(`Applied the edited plan (${plan.path}):`);
    for (const line of describeChange(outcome.change!)) print(`  ${line}`);
  }
  return 0;
}
