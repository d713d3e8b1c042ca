/**
 * The review screen (`v`, what `flux verify` shows): the acceptance
 * commands' output as it arrives, then the commits and the diff; its keys
 * scroll, approve and merge, reject, or open the diff in $PAGER.
 */
import type { ReviewResult } from '../actions.js';
import type { KeyPress, ReviewScreen } from '../state.js';
import { cleanLine } from '../text.js';
import { reviewViewport } from '../viewport.js';
import type { DashboardContext } from './context.js';
import { errorLines } from './error-lines.js';
import { askRejectReason } from './reasons.js';
import { reviewDiffLines } from './review-diff.js';

export async function review(ctx: DashboardContext, id: string): Promise<void> {
  if (ctx.state().busy !== null) {
    ctx.set({ message: { lines: [`Still busy: ${ctx.state().busy}`], tone: 'info' } });
    return;
  }
  const screen: ReviewScreen = {
    kind: 'review',
    id,
    lines: [],
    partial: '',
    running: true,
    passed: null,
    diffArgs: null,
    scroll: 0,
    follow: true,
  };
  let opened = false;
  const update = (patch: Partial<ReviewScreen>): void => {
    const current = ctx.state().screen;
    // The person may have left the review while it ran: then only its record remains.
    if (current.kind !== 'review' || current.id !== id) return;
    const next = { ...current, ...patch };
    if (next.follow) next.scroll = Math.max(0, next.lines.length + 1 - reviewViewport(ctx.state().size));
    ctx.set({ screen: next });
  };
  const current = (): ReviewScreen | null => {
    const s = ctx.state().screen;
    return s.kind === 'review' && s.id === id ? s : null;
  };
  const color = ctx.state().color;
  const sink = {
    line: (text: string) => {
      if (!opened) {
        opened = true;
        ctx.set({ screen, message: null, busy: `Reviewing ${id}…` });
      }
      const s = current();
      if (s === null) return;
      const lines = s.partial === '' ? s.lines : [...s.lines, cleanLine(s.partial, color)];
      update({ lines: [...lines, text], partial: '' });
    },
    output: (chunk: string) => {
      const s = current();
      if (s === null) return;
      const parts = (s.partial + chunk).split('\n');
      const partial = parts.pop() ?? '';
      update({ lines: [...s.lines, ...parts.map((part) => cleanLine(part, color))], partial });
    },
  };
  let result: ReviewResult;
  try {
    result = await ctx.actions.review(id, sink);
  } catch (error) {
    // Refused before anything ran (not completed), or git failed midway.
    if (opened) update({ running: false, lines: [...(current()?.lines ?? []), '', ...errorLines(error)] });
    else ctx.set({ message: { lines: errorLines(error), tone: 'error' } });
    ctx.set({ busy: null });
    return;
  }
  const s = current();
  ctx.set({ busy: null });
  if (s === null) return;
  update({
    running: false,
    passed: result.passed,
    diffArgs: result.diffArgs,
    lines: [
      ...s.lines,
      ...(s.partial === '' ? [] : [cleanLine(s.partial, color)]),
      ...reviewDiffLines(result, color),
    ],
    partial: '',
    follow: false,
    scroll: s.follow ? 0 : s.scroll,
  });
}

export function reviewKey(ctx: DashboardContext, input: string, key: KeyPress, screen: ReviewScreen): void {
  const view = reviewViewport(ctx.state().size);
  const last = Math.max(0, screen.lines.length - view);
  const scrollTo = (scroll: number, follow = false): void =>
    ctx.set({ screen: { ...screen, scroll: Math.max(0, Math.min(last, scroll)), follow } });
  if (key.escape === true || input === 'q') return ctx.set({ screen: { kind: 'main' } });
  if (key.upArrow === true || input === 'k') return scrollTo(screen.scroll - 1);
  if (key.downArrow === true || input === 'j' || key.return === true) return scrollTo(screen.scroll + 1);
  if (key.pageUp === true || input === 'b') return scrollTo(screen.scroll - view);
  if (key.pageDown === true || input === ' ') return scrollTo(screen.scroll + view);
  if (key.home === true || input === 'g') return scrollTo(0);
  if (key.end === true || input === 'G') return scrollTo(last, screen.running);
  if (screen.running) return;
  if (input === 'p' && screen.diffArgs !== null) return void pager(ctx, screen.diffArgs);
  if (input === 'a')
    return void ctx.act(
      `Approving and merging ${screen.id}…`,
      () => ctx.actions.approve(screen.id),
      () => ctx.set({ screen: { kind: 'main' } }),
    );
  if (input === 'r') askRejectReason(ctx, screen.id);
}

async function pager(ctx: DashboardContext, argv: string[]): Promise<void> {
  const result = await ctx.shell.runInTerminal(argv);
  if (result.error !== undefined)
    ctx.set({ message: { lines: [`cannot run ${argv[0]}: ${result.error.message}`], tone: 'error' } });
}
