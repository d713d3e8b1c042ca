/**
 * The input line for a reason: why a permission is denied (optional, told
 * to the agent) and why a stage is rejected (needed, told to its next
 * session). Typing, pasting and erasing in it, and sending it.
 */
import type { DashboardRow } from '../model.js';
import type { KeyPress, Overlay } from '../state.js';
import type { DashboardContext } from './context.js';

export function askDenyReason(ctx: DashboardContext, row: DashboardRow): void {
  const waiting = row.session?.waiting;
  if (waiting === null || waiting === undefined) {
    // What `flux deny` says about a stage that is not asking.
    void ctx.act('Answering…', () => ctx.actions.denyPermission(row.id, undefined));
    return;
  }
  ctx.set({
    overlay: {
      kind: 'input',
      purpose: 'deny',
      stage: row.id,
      prompt: `Deny ${waiting.tool}: ${waiting.detail}? Reason for the agent (optional):`,
      value: '',
      error: null,
    },
  });
}

/** The reject reason's input line, opened from the review. */
export function askRejectReason(ctx: DashboardContext, stage: string): void {
  ctx.set({
    overlay: {
      kind: 'input',
      purpose: 'reject',
      stage,
      prompt: 'Why is it rejected? (the next session is told this)',
      value: '',
      error: null,
    },
  });
}

export function inputKey(ctx: DashboardContext, input: string, key: KeyPress): void {
  const overlay = ctx.state().overlay;
  if (overlay?.kind !== 'input') return;
  if (key.escape === true) return ctx.set({ overlay: null });
  if (key.return === true) return submit(ctx, overlay);
  if (key.backspace === true || key.delete === true)
    return ctx.set({ overlay: { ...overlay, value: [...overlay.value].slice(0, -1).join('') } });
  if (key.ctrl === true || key.meta === true || key.tab === true) return;
  if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return;
  // Typed ahead or pasted, several keys arrive as one string: erase where a backspace is.
  let value = [...overlay.value];
  for (const char of input.replace(/[\r\n]+/g, ' ')) {
    if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
    else if (char >= ' ') value.push(char);
  }
  if (value.join('') !== overlay.value)
    ctx.set({ overlay: { ...overlay, value: value.join(''), error: null } });
}

function submit(ctx: DashboardContext, overlay: Extract<Overlay, { kind: 'input' }>): void {
  const reason = overlay.value.trim();
  if (overlay.purpose === 'deny') {
    ctx.set({ overlay: null });
    void ctx.act(`Answering ${overlay.stage}'s question…`, () =>
      ctx.actions.denyPermission(overlay.stage, reason === '' ? undefined : reason),
    );
    return;
  }
  if (reason === '') {
    ctx.set({ overlay: { ...overlay, error: 'A reason is needed: say what to change.' } });
    return;
  }
  ctx.set({ overlay: null });
  void ctx.act(
    `Rejecting ${overlay.stage}…`,
    () => ctx.actions.reject(overlay.stage, reason),
    () => ctx.set({ screen: { kind: 'main' } }),
  );
}
