/**
 * `flux plan check <file> [--json]`: is this plan ready for `flux init`?
 * Every validation `flux init` makes (exit 2, the same messages), then
 * warnings that do not stop it (exit 0): parallel stages whose files
 * overlap, stages with no acceptance or no files, globs that look like
 * typos, acceptance programs not installed. Nothing is written.
 */
import { findRepository } from '../../engine/runtime/standalone.js';
import { ExitCode, PlanError } from '../../errors.js';
import { checkedJson, checkPlanFile, planErrorJson, reportChecked } from '../plan-check.js';
import { printJson } from '../output.js';

export async function run(file: string, options: { json?: boolean }): Promise<number> {
  const root = await findRepository(process.cwd());
  try {
    const checked = await checkPlanFile(file, root);
    if (options.json === true) printJson(checkedJson(checked));
    else reportChecked(checked);
    return ExitCode.ok;
  } catch (error) {
    if (options.json !== true || !(error instanceof PlanError)) throw error;
    printJson(planErrorJson(error));
    return error.exitCode;
  }
}
