/**
 * What `flux run` shows. In a terminal: a live table, one line per stage
 * (state, session, activity, context), with what waits on a person
 * highlighted, redrawn in place on every change. Without a terminal: one
 * plain line per event, for logs and CI.
 *
 * The live frame is redrawn by moving the cursor up over the rows the last
 * frame took. Every line is cut to the terminal's width, and rows are
 * counted by display width, so a long line (or a narrower terminal since the
 * last draw, on terminals that re-wrap) never leaves a stale copy behind.
 */
import { hostCell, showsHosts, unreachableLine } from '../engine/host-view.js';
import type { MonitorEnd, MonitorView } from '../engine/monitor.js';
import { liveSessions } from '../engine/state.js';
import type { FluxState } from '../engine/state.js';
import { shortSession, statusView, type StatusView } from '../engine/views.js';
import type { FluxEvent } from '../log/events.js';
import { describeNewEvent } from './describe.js';
import {
  displayWidth,
  paint,
  paintStatus,
  pointerLines,
  table,
  terminalWidth,
  truncate,
  wrap,
} from './output.js';

function stageLines(view: StatusView, width: number): string[] {
  // Where hosts are in use (a stage on one, one unreachable): the machine of each stage.
  const hosts = showsHosts(
    view.stages.map((row) => row.host),
    view.unreachable,
    [],
  );
  const rows = view.stages.map((row) => {
    const session = row.session;
    const activity = session === null || session.status === 'ended' ? '' : paintStatus(session.activity);
    const context =
      session?.context === null || session?.context === undefined ? '' : `${Math.round(session.context)}%`;
    const waiting =
      session !== null && session.waiting !== null
        ? paint(`asks: ${session.waiting.tool} ${session.waiting.detail}`, 'yellow')
        : '';
    const note =
      waiting !== ''
        ? waiting
        : row.status === 'pending' && row.waitingFor.length > 0
          ? paint(`after ${row.waitingFor.join(', ')}`, 'dim')
          : row.reason === null
            ? ''
            : paint(row.reason, 'dim');
    return [
      row.id,
      paintStatus(row.status),
      session === null ? '' : shortSession(session.id, row.id),
      activity,
      ...(hosts ? [hostCell(row.host, view.unreachable)] : []),
      context,
      note,
    ];
  });
  // The note (what it asks, what it waits for) gives up room first, then the stage id.
  const header = ['STAGE', 'STATE', 'SESSION', 'AGENT', ...(hosts ? ['HOST'] : []), 'CONTEXT', ''];
  return [
    ...view.unreachable.map((host) => paint(unreachableLine(host), 'red')),
    ...table(header, rows, { width, shrink: [[header.length - 1], [0]] }).split('\n'),
  ];
}

export function attentionLines(view: StatusView, width: number = terminalWidth()): string[] {
  if (view.attention.length === 0) return [];
  return [
    '',
    paint('Waiting on you:', 'yellow'),
    ...view.attention.flatMap((a) => pointerLines(a.stage, a.what, a.command, width)),
  ];
}

/** How many terminal rows the lines take on a terminal `width` columns wide (a longer line wraps). */
export function physicalRows(lines: readonly string[], width: number): number {
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(displayWidth(line) / width)), 0);
}

export interface ViewOptions {
  /** What the view ends with, instead of `closingSummary` (the demo says its own). */
  summary?: (state: FluxState, why: MonitorEnd, width: number) => string[];
}

/** The terminal bell, for a notice while a person watches ([notify] bell). */
export const BELL = '\u0007';

export class LiveView implements MonitorView {
  /** The lines of the frame on screen, as drawn. */
  private drawn: string[] = [];
  private readonly notes: string[] = [];
  private readonly out: NodeJS.WriteStream;
  private readonly options: ViewOptions;
  private last: FluxState | undefined;
  private readonly onResize = (): void => {
    if (this.last !== undefined) this.draw(this.frame(this.last, true));
  };

  constructor(out: NodeJS.WriteStream = process.stdout, options: ViewOptions = {}) {
    this.out = out;
    this.options = options;
    this.out.on('resize', this.onResize);
  }

  note(text: string): void {
    this.notes.push(`${new Date().toTimeString().slice(0, 8)} ${text}`);
    if (this.notes.length > 6) this.notes.shift();
  }

  private width(): number {
    return terminalWidth(this.out);
  }

  private frame(state: FluxState, attention: boolean): string[] {
    const width = this.width();
    const view = statusView(state);
    return [
      `${paint(view.plan?.title ?? 'Flux', 'bold')}  ${view.progress.merged} of ${view.progress.total} merged  ${paint('(Ctrl+C stops watching; sessions keep running)', 'dim')}`,
      '',
      ...stageLines(view, width),
      ...(attention ? attentionLines(view, width) : []),
      ...(this.notes.length === 0 ? [] : ['', ...this.notes.map((n) => paint(n, 'dim'))]),
    ];
  }

  /** Replaces the frame on screen with `lines`, each cut to the width. */
  private draw(lines: readonly string[]): void {
    const width = this.width();
    const fitted = lines.map((line) => truncate(line, width));
    const up = this.drawn.length === 0 ? 0 : physicalRows(this.drawn, width);
    const clear = up > 0 ? `\u001b[${up}A\r\u001b[J` : '';
    this.out.write(`${clear}${fitted.join('\n')}\n`);
    this.drawn = fitted;
  }

  /** Ring the bell when a person is told they are needed (set from [notify] bell). */
  bell = false;

  update(state: FluxState, events: readonly FluxEvent[]): void {
    for (const event of events) if (event.type.startsWith('stage.')) this.note(describeNewEvent(event));
    if (this.bell && events.some((event) => event.type === 'notification.sent')) this.out.write(BELL);
    this.last = state;
    this.draw(this.frame(state, true));
  }

  close(state: FluxState, why: MonitorEnd): void {
    this.out.off('resize', this.onResize);
    const width = this.width();
    const summary = (this.options.summary ?? closingSummary)(state, why, width);
    // The summary lists what waits on you: the last frame does not say it twice.
    if (this.drawn.length > 0 && why === 'settled') this.draw(this.frame(state, false));
    this.drawn = [];
    this.out.write(`\n${summary.join('\n')}\n`);
  }
}

export class LogView implements MonitorView {
  private readonly out: NodeJS.WriteStream;
  private readonly options: ViewOptions;

  constructor(out: NodeJS.WriteStream = process.stdout, options: ViewOptions = {}) {
    this.out = out;
    this.options = options;
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
    const summary = (this.options.summary ?? closingSummary)(state, why, terminalWidth(this.out));
    this.out.write(`${summary.join('\n')}\n`);
  }
}

const prose = (text: string, width: number, style?: 'dim' | 'green'): string[] =>
  wrap(text, width).map((line) => (style === undefined ? line : paint(line, style)));

/** What the run ends with: all merged, or what waits on whom; or, interrupted, what keeps running. */
export function closingSummary(
  state: FluxState,
  why: MonitorEnd = 'settled',
  width: number = terminalWidth(),
): string[] {
  const view = statusView(state);
  if (why === 'interrupted') {
    const alive = liveSessions(state).filter((s) => s.tmux !== '');
    return [
      ...prose(
        `Stopped watching. ${alive.length === 0 ? 'No session is running.' : `${alive.length} session(s) keep running in tmux (${alive.map((s) => s.tmux).join(', ')}).`}`,
        width,
      ),
      ...prose('`flux run` picks everything up again; `flux status` shows where things are.', width, 'dim'),
    ];
  }
  if (view.progress.total > 0 && view.progress.merged === view.progress.total) {
    return prose(
      `All ${view.progress.total} stages are merged into ${state.baseBranch ?? 'the base branch'}.`,
      width,
      'green',
    );
  }
  const lines = prose(
    `${view.progress.merged} of ${view.progress.total} merged. Nothing more can move without you.`,
    width,
  );
  if (view.attention.length > 0) lines.push(...attentionLines(view, width).slice(1));
  const blockedBehind = view.stages.filter((row) => row.status === 'pending');
  if (blockedBehind.length > 0)
    lines.push(
      ...prose(
        `Pending until their dependencies merge: ${blockedBehind.map((r) => r.id).join(', ')}`,
        width,
        'dim',
      ),
    );
  lines.push(
    ...prose(
      'Run `flux run` again after you have answered; `flux status` shows where things are.',
      width,
      'dim',
    ),
  );
  return lines;
}
