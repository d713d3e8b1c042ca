/**
 * The simulated agent's script (docs/sim-agent.md): the turns it plays, each
 * one assistant answer with the actions it takes. JSON, validated with zod;
 * errors name the file and the field, e.g. `turns[1].actions[0].write.path`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';

export { defaultSimScript, pathForGlob } from './default-script.js';

/** A path inside the worktree: relative, `/`-separated, no `..`. */
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p), 'must be relative to the worktree')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must stay inside the worktree (no `..`)');

const fileEdit = z.strictObject({ path: relativePath, content: z.string() });

const permission = z.strictObject({
  /** Claude Code's tool name, e.g. `Bash`, `WebFetch`. */
  tool: z.string().min(1),
  /** The tool's input as Claude Code would send it, e.g. `{"command": "curl …"}`. */
  input: z.record(z.string(), z.unknown()).default({}),
  /** Give up (as a denial) after this long; waits for ever when absent. */
  timeout_ms: z.number().int().positive().optional(),
});

const exitCode = z.number().int().min(0).max(255);

/** One key per action; a plain object keeps the JSON short and the errors precise. */
const ACTION_SHAPE = {
  write: fileEdit,
  append: fileEdit,
  run: z.string().min(1),
  commit: z.string().min(1),
  flux: z.array(z.string()).min(1),
  merge: z.string().min(1),
  sleep: z.number().int().min(0).max(600_000),
  permission,
  exit: exitCode,
  crash: z.union([z.literal(true), exitCode.min(1)]),
} as const;

export const ACTION_KINDS = Object.keys(ACTION_SHAPE) as (keyof typeof ACTION_SHAPE)[];

export type SimAction =
  | { write: { path: string; content: string } }
  | { append: { path: string; content: string } }
  /** A shell command, through `sh -c` in the worktree, like Claude Code's Bash tool. */
  | { run: string }
  /** `git add -A` then `git commit -m <message>`. */
  | { commit: string }
  /** Arguments for Flux, run as FLUX_COMMAND + args, e.g. `["done"]`. */
  | { flux: string[] }
  /** `git merge <branch>` into the worktree's branch, keeping both sides of each conflict, then commit. */
  | { merge: string }
  /** Milliseconds. */
  | { sleep: number }
  | { permission: { tool: string; input: Record<string, unknown>; timeout_ms?: number | undefined } }
  /** Ends the session normally (SessionEnd), with this exit code. */
  | { exit: number }
  /** Dies at once without SessionEnd; `true` means exit code 1. */
  | { crash: true | number };

const actionSchema = z
  .strictObject(
    Object.fromEntries(Object.entries(ACTION_SHAPE).map(([key, schema]) => [key, schema.optional()])),
  )
  .refine((action) => Object.keys(action).length === 1, {
    message: `an action has exactly one of the keys ${ACTION_KINDS.join(', ')}`,
  })
  .transform((action) => action as SimAction);

const turnSchema = z.strictObject({
  /** What the agent says: printed, and sent as Stop's `last_assistant_message`. */
  say: z.string().default(''),
  /** Context used after this turn, in percent; the previous turn's value when absent. */
  context: z.number().int().min(0).max(100).optional(),
  /** What this turn cost, in US dollars (added to the status line's `cost.total_cost_usd`); list prices when absent. */
  cost: z.number().min(0).max(10_000).optional(),
  actions: z.array(actionSchema).default([]),
});

export const simScriptSchema = z.strictObject({
  /** For the people who read the script; ignored. */
  description: z.string().optional(),
  turns: z.array(turnSchema),
});

export type SimTurn = z.infer<typeof turnSchema>;
export type SimScript = z.infer<typeof simScriptSchema>;

/** `turns[1].actions[0].write.path` */
function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** Validates a parsed script; `file` only names it in errors. */
export function parseSimScript(raw: unknown, file: string): SimScript {
  const result = simScriptSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldName(issue.path);
  const detail =
    issue.code === 'unrecognized_keys'
      ? `unknown key ${issue.keys.map((k) => `'${k}'`).join(', ')}`
      : issue.message;
  throw new ConfigError(
    `${file}: ${field === '' ? '' : `${field}: `}${detail}`,
    'see docs/sim-agent.md for the script format',
  );
}

export async function loadSimScript(file: string): Promise<SimScript> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the sim script ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseSimScript(raw, file);
}
