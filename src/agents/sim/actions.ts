/**
 * The actions of a turn, done for real in the worktree: files are written,
 * commands run through `sh -c` (like Claude Code's Bash tool), commits land
 * and Flux is called through FLUX_COMMAND, exactly as an agent would call it.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeCall } from '../../effects/exec.js';
import { mergeBase } from './merge-base.js';
import { runProcess, type ProcessResult } from './process.js';
import type { SimAction } from './script.js';
import type { Screen } from './screen.js';

/** Claude Code's Bash tool gives a command two minutes by default. */
const RUN_TIMEOUT_MS = 120_000;
/** `flux done` runs the acceptance commands: allow the Bash tool's maximum. */
const FLUX_TIMEOUT_MS = 600_000;

export type PermissionRequest = Extract<SimAction, { permission: unknown }>['permission'];

/** What the session did, for the status line and the handoff document. */
export interface WorkRecord {
  files: Set<string>;
  commits: string[];
  linesAdded: number;
}

export interface ActionContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  flux: readonly string[] | undefined;
  screen: Screen;
  signal: AbortSignal;
  work: WorkRecord;
  askPermission(request: PermissionRequest): Promise<void>;
}

/** `undefined`: go on with the next action. */
export type ActionEnd = { end: 'exit' | 'crash'; code: number } | undefined;

function countLines(text: string): number {
  return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function showResult(ctx: ActionContext, result: ProcessResult): void {
  const lines = [result.stdout.trimEnd()];
  if (result.problem !== undefined) lines.push(`Error: ${result.problem}`);
  else if (result.exitCode !== 0) lines.push(`Error: exit code ${result.exitCode}`);
  const text = lines.filter((line) => line !== '').join('\n');
  ctx.screen.result(text === '' ? '(no output)' : text);
}

async function editFile(ctx: ActionContext, edit: { path: string; content: string }, append: boolean) {
  ctx.screen.tool(append ? 'Update' : 'Write', edit.path);
  const full = path.resolve(ctx.cwd, edit.path);
  try {
    await mkdir(path.dirname(full), { recursive: true });
    await (append ? appendFile : writeFile)(full, edit.content);
  } catch (error) {
    ctx.screen.result(`Error: ${(error as Error).message}`);
    return;
  }
  const lines = countLines(edit.content);
  ctx.work.files.add(edit.path);
  ctx.work.linesAdded += lines;
  ctx.screen.result(`${append ? 'Added' : 'Wrote'} ${lines} lines to ${edit.path}`);
}

function shell(ctx: ActionContext, file: string, args: readonly string[], timeoutMs = RUN_TIMEOUT_MS) {
  return runProcess(file, args, {
    cwd: ctx.cwd,
    env: ctx.env,
    timeoutMs,
    signal: ctx.signal,
    interleave: true,
  });
}

async function commit(ctx: ActionContext, message: string): Promise<void> {
  ctx.screen.tool('Bash', `git add -A && git commit -m ${JSON.stringify(message)}`);
  const added = await shell(ctx, 'git', ['add', '-A']);
  if (added.exitCode !== 0) return showResult(ctx, added);
  const committed = await shell(ctx, 'git', ['commit', '-m', message]);
  if (committed.exitCode === 0) ctx.work.commits.push(message);
  showResult(ctx, committed);
}

async function flux(ctx: ActionContext, args: readonly string[]): Promise<void> {
  ctx.screen.tool('Bash', describeCall('flux', args));
  if (ctx.flux === undefined) return ctx.screen.result('Error: FLUX_COMMAND is not set');
  const [file, ...prefix] = ctx.flux as [string, ...string[]];
  showResult(ctx, await shell(ctx, file, [...prefix, ...args], FLUX_TIMEOUT_MS));
}

async function merge(ctx: ActionContext, base: string): Promise<void> {
  ctx.screen.tool('Bash', `git merge ${base}`);
  const done = await mergeBase(
    {
      cwd: ctx.cwd,
      git: (args) => shell(ctx, 'git', args),
      show: (what, result) => (result === undefined ? ctx.screen.result(what) : showResult(ctx, result)),
    },
    base,
  );
  if (done) ctx.work.commits.push(`Merge ${base}`);
}

export async function runAction(ctx: ActionContext, action: SimAction): Promise<ActionEnd> {
  if ('write' in action) await editFile(ctx, action.write, false);
  else if ('append' in action) await editFile(ctx, action.append, true);
  else if ('run' in action) {
    ctx.screen.tool('Bash', action.run);
    showResult(ctx, await shell(ctx, '/bin/sh', ['-c', action.run]));
  } else if ('commit' in action) await commit(ctx, action.commit);
  else if ('flux' in action) await flux(ctx, action.flux);
  else if ('merge' in action) await merge(ctx, action.merge);
  else if ('sleep' in action)
    await sleep(action.sleep, undefined, { signal: ctx.signal }).catch(() => undefined);
  else if ('permission' in action) await ctx.askPermission(action.permission);
  else if ('exit' in action) return { end: 'exit', code: action.exit };
  else if ('crash' in action) return { end: 'crash', code: action.crash === true ? 1 : action.crash };
  return undefined;
}
