/** Running git: argument arrays, no prompts, no editors; exit codes read as answers. */
import { runTool, toolFailure, type ToolResult } from '../exec.js';
import { RefusedError } from '../../errors.js';

export const GIT_MISSING_HINT = 'install git 2.38 or newer (apt-get install git, or brew install git)';

export interface GitCall {
  cwd: string;
  env?: Record<string, string | undefined>;
  raw?: boolean;
}

const GIT_ENV = {
  // Never wait for a password or an editor: Flux runs unattended.
  GIT_TERMINAL_PROMPT: '0',
  GIT_MERGE_AUTOEDIT: 'no',
  GIT_EDITOR: 'true',
};

export function runGit(args: readonly string[], call: GitCall): Promise<ToolResult> {
  return runTool('git', args, {
    cwd: call.cwd,
    env: { ...GIT_ENV, ...call.env },
    raw: call.raw,
    missingHint: GIT_MISSING_HINT,
  });
}

/** Runs git and returns stdout; a non-zero exit is an ExternalError. */
export async function gitOutput(args: readonly string[], call: GitCall): Promise<string> {
  const result = await runGit(args, call);
  if (result.exitCode !== 0) throw toolFailure('git', args, result);
  return result.stdout;
}

/** For commands that answer yes/no with exit codes 0/1 (anything else is a failure). */
export async function gitTest(args: readonly string[], call: GitCall): Promise<boolean> {
  const result = await runGit(args, call);
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw toolFailure('git', args, result);
}

export function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

export function lines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** A name starting with `-` would be read as an option. */
export function assertRefName(name: string, what: string): void {
  if (name === '' || name.startsWith('-')) throw new RefusedError(`invalid ${what} name '${name}'`);
}
