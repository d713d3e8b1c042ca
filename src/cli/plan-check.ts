/**
 * Checking a plan without a workspace, for `flux plan check` and `flux plan
 * new`: every validation of `flux init` (a PlanError, exit 2, with the same
 * message), then the warnings of src/plan/warnings.ts against the
 * repository's files and PATH.
 */
import path from 'node:path';
import { programInstalled, repositoryFiles } from '../engine/runtime/standalone.js';
import { PlanError } from '../errors.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import { planWarnings, type PlanWarning } from '../plan/warnings.js';
import { paint, print, say } from './output.js';

export interface Checked {
  plan: Plan;
  warnings: PlanWarning[];
}

/** Loads and validates `file` (relative to `cwd`), then finds the warnings; throws the PlanError of an invalid plan. */
export async function checkPlanFile(file: string, root: string, cwd = process.cwd()): Promise<Checked> {
  const plan = loadPlan(path.resolve(cwd, file), root);
  const warnings = planWarnings(plan, { files: await repositoryFiles(root), programFound: programInstalled });
  return { plan, warnings };
}

export const initCommand = (plan: Plan): string => `flux init ${plan.path}`;

/** What a check found, for people: the plan, each warning with its hint, and what to run next. */
export function reportChecked({ plan, warnings }: Checked): void {
  print(
    `${paint('Valid', 'green')}: ${plan.path}: ${plan.title}, ${plan.stages.length} stage${plan.stages.length === 1 ? '' : 's'}.`,
  );
  for (const warning of warnings) {
    print('');
    say(`${paint('warning:', 'yellow')} ${warning.message}`, { hangingIndent: '  ' });
    say(`hint: ${warning.hint}`, { indent: '  ', hangingIndent: '        ' });
  }
  print('');
  if (warnings.length > 0)
    print(`${warnings.length} warning${warnings.length === 1 ? '' : 's'} (none stops \`flux init\`).`);
  print(`Next: \`${initCommand(plan)}\``);
}

export function checkedJson({ plan, warnings }: Checked): object {
  return {
    ok: true,
    plan: plan.path,
    title: plan.title,
    stages: plan.stages.map((stage) => stage.id),
    errors: [],
    warnings,
    next: initCommand(plan),
  };
}

export function planErrorJson(error: PlanError): object {
  return {
    ok: false,
    errors: [
      {
        message: error.message,
        hint: error.hint ?? null,
        file: error.location.file,
        line: error.location.line ?? null,
        column: error.location.column ?? null,
        stage: error.stage ?? null,
        field: error.field ?? null,
      },
    ],
    warnings: [],
  };
}
