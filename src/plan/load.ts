/** Reads a plan file from disk and parses it. */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { PlanError } from '../errors.js';
import { parsePlan } from './parse.js';
import type { Plan } from './types.js';

function readProblem(code: string | undefined): { message: string; hint: string } {
  switch (code) {
    case 'ENOENT':
      return { message: 'plan file not found', hint: 'check the path; plans usually live in `doc/plans/`' };
    case 'EISDIR':
      return { message: 'is a directory, not a plan file', hint: "give the path of the plan's `.md` file" };
    case 'EACCES':
    case 'EPERM':
      return { message: 'cannot read the plan file: permission denied', hint: 'make the file readable' };
    default:
      return {
        message: `cannot read the plan file (${code ?? 'unknown error'})`,
        hint: 'check that the file is readable',
      };
  }
}

/** Reads and parses `absPath`. `Plan.path` is relative to `repoRoot`, with `/` separators. */
export function loadPlan(absPath: string, repoRoot: string): Plan {
  const file = relative(repoRoot, absPath).split(sep).join('/');
  let text: string;
  try {
    text = readFileSync(absPath, 'utf8');
  } catch (error) {
    throw new PlanError({ location: { file }, ...readProblem((error as NodeJS.ErrnoException).code) });
  }
  return parsePlan(text, file);
}
