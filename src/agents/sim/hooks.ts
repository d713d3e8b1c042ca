/**
 * Calls Flux's hooks the way Claude Code does: `<FLUX_COMMAND> hook <Name>`
 * with the event JSON on stdin, a short timeout, and the answer read from
 * stdout (JSON) or exit code 2 (stderr). A hook that fails is reported and
 * ignored, as Claude Code does; it never stops the agent.
 */
import type { HookName } from '../protocol.js';
import { runProcess } from './process.js';
import type { Screen } from './screen.js';

/** Flux declares its hooks with `"timeout": 10`. */
export const HOOK_TIMEOUT_MS = 10_000;

export interface HookAnswer {
  /** `{"decision":"block","reason":…}` or exit code 2: the reason is the agent's next instruction. */
  block?: string;
  /** `{"continue": false, "stopReason": …}`: the agent stops working. */
  stop?: string;
  /** The stdout JSON, when it was a JSON object. */
  json?: Record<string, unknown>;
  /** Plain stdout (the status line's text, or context for SessionStart). */
  text: string;
}

export function readHookAnswer(exitCode: number | undefined, stdout: string, stderr: string): HookAnswer {
  if (exitCode === 2) return { block: stderr.trim(), text: '' };
  const text = stdout.trim();
  if (exitCode !== 0 || !text.startsWith('{')) return { text: exitCode === 0 ? text : '' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { text };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { text };
  const fields = json as Record<string, unknown>;
  const answer: HookAnswer = { json: fields, text: '' };
  if (fields.decision === 'block') answer.block = typeof fields.reason === 'string' ? fields.reason : '';
  if (fields.continue === false) answer.stop = typeof fields.stopReason === 'string' ? fields.stopReason : '';
  return answer;
}

export class Hooks {
  constructor(
    private readonly options: {
      command: readonly string[] | undefined;
      cwd: string;
      env: NodeJS.ProcessEnv;
      screen: Screen;
    },
  ) {}

  async call(name: HookName, payload: object): Promise<HookAnswer> {
    const { command, cwd, env, screen } = this.options;
    if (command === undefined) return { text: '' };
    const [file, ...prefix] = command as [string, ...string[]];
    const result = await runProcess(file, [...prefix, 'hook', name], {
      cwd,
      // Claude Code gives hooks the project directory too.
      env: { ...env, CLAUDE_PROJECT_DIR: cwd },
      timeoutMs: HOOK_TIMEOUT_MS,
      input: JSON.stringify(payload),
    });
    if (result.problem !== undefined || (result.exitCode !== 0 && result.exitCode !== 2)) {
      const detail = result.problem ?? `exit code ${result.exitCode}`;
      const said = result.stderr.trim();
      screen.note(`${name} hook error: ${detail}${said === '' ? '' : `: ${said}`}`);
    }
    return readHookAnswer(result.exitCode, result.stdout, result.stderr);
  }
}
