/**
 * Attaching to a stage's tmux session (enter: the terminal is handed to
 * tmux and comes back on detach), and the pane screen (`l`): the last lines
 * of the stage's pane, reloaded on the slow clock.
 */
import type { KeyPress } from '../state.js';
import { cleanLine } from '../text.js';
import { paneViewport } from '../viewport.js';
import type { DashboardContext } from './context.js';
import { errorLines } from './error-lines.js';

export async function attach(ctx: DashboardContext, id: string): Promise<void> {
  let target: { argv: string[]; banner: string };
  try {
    target = await ctx.actions.attach(id);
  } catch (error) {
    ctx.set({ message: { lines: errorLines(error), tone: 'error' } });
    return;
  }
  const result = await ctx.shell.runInTerminal(target.argv);
  // A session on a host is reached with ssh (docs/hosts.md).
  const program = target.argv[0] === 'ssh' ? 'ssh' : 'tmux';
  ctx.set({
    message:
      result.error === undefined
        ? {
            lines: [`Back from ${id}'s session (${program} exited ${result.status ?? 'by a signal'}).`],
            tone: 'info',
          }
        : {
            lines: [
              `error: cannot run ${target.argv[0]}: ${result.error.message}`,
              program === 'ssh' ? 'hint: is the OpenSSH client installed?' : 'hint: is tmux installed?',
            ],
            tone: 'error',
          },
  });
  ctx.refreshOrSay();
}

/** Opens the pane screen on a stage and loads its lines. */
export function openPane(ctx: DashboardContext, id: string): void {
  ctx.set({ screen: { kind: 'pane', id, lines: [] } });
  void loadPane(ctx, id);
}

export function paneKey(ctx: DashboardContext, input: string, key: KeyPress, id: string): void {
  if (key.escape === true || input === 'q' || input === 'l') return ctx.set({ screen: { kind: 'main' } });
  if (key.return === true) return void attach(ctx, id);
}

export async function loadPane(ctx: DashboardContext, id: string): Promise<void> {
  let lines: string[];
  try {
    lines = await ctx.actions.pane(id, paneViewport(ctx.state().size));
  } catch (error) {
    lines = errorLines(error);
  }
  const screen = ctx.state().screen;
  if (screen.kind !== 'pane' || screen.id !== id) return;
  ctx.set({ screen: { ...screen, lines: lines.map((line) => cleanLine(line, false)) } });
}
