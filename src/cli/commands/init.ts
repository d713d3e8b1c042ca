/**
 * `flux init <plan-path> [--force]`: validate the plan, then create `.work/`
 * (or record the changed plan in it). A first init builds the workspace in a
 * temporary directory and renames it into place, so a failure leaves nothing
 * behind; an invalid plan fails before anything is written at all. The work
 * is in `src/cli/init-plan.ts`, which `flux demo` shares.
 */
import { initialize, report, type InitOptions } from '../init-plan.js';
import { print } from '../output.js';

export async function run(planPath: string, options: InitOptions): Promise<number> {
  const initialized = await initialize(planPath, options);
  report(initialized);
  if (initialized.outcome.kind !== 'unchanged') {
    print('');
    print('Next: `flux status` to look, `flux run` to start the ready stages.');
  }
  return 0;
}
