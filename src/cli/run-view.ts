/**
 * What `flux run` shows. In a terminal: a live table, one line per stage
 * (state, session, activity, context), with what waits on a person
 * highlighted, redrawn in place on every change. Without a terminal: one
 * plain line per event, for logs and CI.
 */
import type { MonitorEnd, MonitorView } from '../engine/monitor.js';
import { liveSessions } from '../engine/state.js';
import type { FluxState } from '../engine/state.js';
import { statusView, type StatusView } from '../engine/views.js';
import type { FluxEvent } from '../log/events.js';
import { describeNewEvent } from './describe.js';
import { paint, paintStatus, table } from './output.js';

function stageLines(view: StatusView): string[] {
  const rows = view.stages.map((row) => {
    const session = row.session;
    const activity = session === null || session.status === 'ended' ? '' : paintStatus(session.status);
    const context =
      session?.context === null || session?.context === undefined ? '' : `${Math.round(session.context)}%`;
    const waiting =
      session !== null && session.waiting !== null
        ? paint(`asks: ${session.waiting.tool} ${session.waiting.detail}`.slice(0, 60), 'yellow')
        : '';
    const note =
      waiting !== ''
        ? waiting
        : row.status === 'pending' && row.waitingFor.length > 0
          ? paint(`after ${row.waitingFor.join(', ')}`, 'dim')
          : row.reason === null
            ? ''
            : paint(row.reason.slice(0, 60), 'dim');
    return [row.id, paintStatus(row.status), session?.id ?? '', activity, context, note];
  });
  return table(['STAGE', 'STATE', 'SESSION', 'AGENT', 'CONTEXT', ''], rows).split('\n');
}

export function attentionLines(view: StatusView): string[] {
  if (view.attention.length === 0) return [];
  return [
    '',
    paint('Waiting on you:', 'yellow'),
    ...view.attention.map((a) => `  ${a.stage}: ${a.what}  →  ${paint(a.command, 'cyan')}`),
  ];
}

export class LiveView implements MonitorView {
  private drawn = 0;
  private readonly notes: string[] = [];
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.out = out;
  }

  note(text: string): void {
    this.notes.push(`${new Date().toTimeString().slice(0, 8)} ${text}`);
    if (this.notes.length > 6) this.notes.shift();
  }

  update(state: FluxState, events: readonly FluxEvent[]): void {
    for (const event of events) if (event.type.startsWith('stage.')) this.note(describeNewEvent(event));
    const view = statusView(state);
    const lines = [
      `${paint(view.plan?.title ?? 'Flux', 'bold')}  ${view.progress.merged} of ${view.progress.total} merged  ${paint('(Ctrl+C stops watching; sessions keep running)', 'dim')}`,
      '',
      ...stageLines(view),
      ...attentionLines(view),
      ...(this.notes.length === 0 ? [] : ['', ...this.notes.map((n) => paint(n, 'dim'))]),
    ];
    const clear = this.drawn > 0 ? `\u001b[${this.drawn}A\u001b[J` : '';
    this.out.write(`${clear}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  close(state: FluxState, why: MonitorEnd): void {
    this.drawn = 0;
    this.out.write(`\n${closingSummary(state, why).join('\n')}\n`);
  }
}

export class LogView implements MonitorView {
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.out = out;
  }

  note(text: string): void {
    this.out.write(`${new Date().toISOString()} ${text}\n`);
  }

  update(_state: FluxState, events: readonly FluxEvent[]): void {
    for (const event of events) {
      if (event.type === 'session.context' || event.type === 'session.reminded') continue;
      this.out.write(`${event.at} ${event.type.padEnd(26)} ${describeNewEvent(event)}\n`);
    }
  }

  close(state: FluxState, why: MonitorEnd): void {
    this.out.write(`${closingSummary(state, why).join('\n')}\n`);
  }
}

/** What the run ends with: all merged, or what waits on whom; or, interrupted, what keeps running. */
export function closingSummary(state: FluxState, why: MonitorEnd = 'settled'): string[] {
  const view = statusView(state);
  if (why === 'interrupted') {
    const alive = liveSessions(state).filter((s) => s.tmux !== '');
    return [
      `Stopped watching. ${alive.length === 0 ? 'No session is running.' : `${alive.length} session(s) keep running in tmux (${alive.map((s) => s.tmux).join(', ')}).`}`,
      paint('`flux run` picks everything up again; `flux status` shows where things are.', 'dim'),
    ];
  }
  if (view.progress.total > 0 && view.progress.merged === view.progress.total) {
    return [
      paint(
        `All ${view.progress.total} stages are merged into ${state.baseBranch ?? 'the base branch'}.`,
        'green',
      ),
    ];
  }
  const lines = [
    `${view.progress.merged} of ${view.progress.total} merged. Nothing more can move without you.`,
  ];
  if (view.attention.length > 0) lines.push(...attentionLines(view).slice(1));
  const blockedBehind = view.stages.filter((row) => row.status === 'pending');
  if (blockedBehind.length > 0)
    lines.push(
      paint(`Pending until their dependencies merge: ${blockedBehind.map((r) => r.id).join(', ')}`, 'dim'),
    );
  lines.push(
    paint('Run `flux run` again after you have answered; `flux status` shows where things are.', 'dim'),
  );
  return lines;
}
