/**
 * The screens as lines of styled segments, computed from the dashboard's
 * state and the terminal's size (pure): every line fits the width, and the
 * main screen is exactly one line shorter than the terminal (a frame as tall
 * as the terminal would make Ink clear the screen on every redraw). The
 * components in components/ only turn these into Ink elements.
 */
import { STATUS_STYLE } from '../output.js';
import { formatCost } from './cost.js';
import type { ReviewScreen, UiState } from './state.js';
import { paneViewport, reviewViewport } from './viewport.js';
import type { DashboardRow } from './model.js';
import { supervisorLabel } from './supervisor.js';
import { cut, elapsed, fit, meter, progressBar, wrap } from './text.js';

export type Tone = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray';

export interface Segment {
  text: string;
  color?: Tone;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Segment[];

const text = (value: string, style: Omit<Segment, 'text'> = {}): Segment => ({ text: value, ...style });

function statusTone(status: string): Tone | undefined {
  const style = STATUS_STYLE[status];
  return style === undefined || style === 'bold' || style === 'dim' ? undefined : style;
}

/** Usable height: one line less than the terminal. */
export function height(state: UiState): number {
  return Math.max(6, state.size.rows - 1);
}

// ---- header -----------------------------------------------------------------------

export function headerLines(state: UiState): Line[] {
  const { model, size } = state;
  const width = size.columns;
  const supervisor = supervisorLabel(model.supervisor);
  const title = cut(model.title, Math.max(10, width - supervisor.length - 2));
  const gap = Math.max(1, width - [...title].length - supervisor.length);
  const { merged, total } = model.progress;
  const counts = Object.entries(model.counts)
    .filter(([status]) => status !== 'merged')
    .map(([status, n]) => `${n} ${status}`)
    .join(' · ');
  const cost = `cost ${formatCost(model.cost)}`;
  const bar = progressBar(merged, total, width >= 120 ? 20 : 10);
  const progress = cut(
    `${merged} of ${total} merged${counts === '' ? '' : ` · ${counts}`}`,
    Math.max(10, width - bar.length - cost.length - 3),
  );
  const gap2 = Math.max(1, width - bar.length - 1 - [...progress].length - cost.length);
  return [
    [
      text(title, { bold: true }),
      text(' '.repeat(gap)),
      text(supervisor, model.supervisor.running ? { color: 'green' } : { dim: true }),
    ],
    [
      text(bar, { color: 'green' }),
      text(` ${progress}`),
      text(' '.repeat(gap2)),
      text(cost, { dim: model.cost === null }),
    ],
  ];
}

// ---- waiting on you ---------------------------------------------------------------

export function attentionLines(state: UiState, max: number): Line[] {
  const { attention } = state.model;
  if (attention.length === 0) return [];
  const width = state.size.columns;
  const idWidth = Math.min(24, Math.max(...attention.map((a) => a.stage.length)));
  const shown = attention.length > max ? attention.slice(0, Math.max(0, max - 1)) : attention;
  const lines: Line[] = [[text(`Waiting on you (${attention.length})`, { color: 'yellow', bold: true })]];
  for (const item of shown) {
    const selected = item.stage === state.selected;
    const keys = `  [${item.keys}]`;
    const what = cut(item.what, Math.max(8, width - 4 - idWidth - keys.length));
    lines.push([
      text(selected ? '▸ ' : '  ', { color: 'yellow' }),
      text(fit(item.stage, idWidth), { bold: selected }),
      text(`  ${what}`),
      text(keys, { color: 'cyan' }),
    ]);
  }
  if (shown.length < attention.length)
    lines.push([
      text(`  … and ${attention.length - shown.length} more (tab jumps to the next)`, { dim: true }),
    ]);
  return lines;
}

// ---- the table --------------------------------------------------------------------

export interface Columns {
  stage: number;
  state: number;
  session: number;
  context: number;
  cost: number;
  time: number;
  note: number;
}

/**
 * Column widths for the terminal's width: fixed cells (narrower under 100
 * columns, where the longest states are cut), COST only when some cost is
 * known or there is room, the stage id as wide as it needs (within reason),
 * and the note gets the rest.
 */
export function columns(width: number, rows: readonly DashboardRow[]): Columns {
  const narrow = width < 100;
  const longest = Math.max(5, ...rows.map((row) => row.id.length));
  const cost = rows.some((row) => row.cost !== null) || width >= 120 ? 6 : 0;
  const fixed = { state: narrow ? 10 : 13, session: narrow ? 10 : 11, context: 9, cost, time: 6 };
  const others =
    2 + fixed.state + fixed.session + fixed.context + fixed.cost + fixed.time + (cost === 0 ? 5 : 6);
  const stage = Math.max(8, Math.min(longest, width >= 120 ? 28 : 16, width - others - 8));
  return { stage, ...fixed, note: Math.max(0, width - others - stage) };
}

const SESSION_LABEL: Record<string, string> = { waiting_permission: 'permission' };

function noteFor(row: DashboardRow, conflicts: string[] | undefined): Segment {
  const waiting = row.session?.waiting;
  if (waiting !== null && waiting !== undefined)
    return text(`asks ${waiting.tool}: ${waiting.detail}`, { color: 'yellow' });
  if (conflicts !== undefined)
    return text(`conflict: ${conflicts.join(', ') || 'predicted'}`, { color: 'red' });
  if (row.status === 'pending' && row.waitingFor.length > 0)
    return text(`after ${row.waitingFor.join(', ')}`, { dim: true });
  if (row.reason !== null) return text(row.reason, { dim: true });
  if (row.kind === 'task') return text('task', { dim: true });
  return text('');
}

export function tableHeader(cols: Columns): Line {
  return [
    text(
      `  ${fit('STAGE', cols.stage)} ${fit('STATE', cols.state)} ${fit('SESSION', cols.session)} ${fit('CONTEXT', cols.context)} ${cols.cost > 0 ? `${fit('COST', cols.cost)} ` : ''}${fit('TIME', cols.time)} ${cols.note > 0 ? 'NOTE' : ''}`.trimEnd(),
      { bold: true },
    ),
  ];
}

export function tableRow(state: UiState, row: DashboardRow, cols: Columns): Line {
  const selected = row.id === state.selected;
  const session = row.session;
  const sessionText =
    session === null ? '' : (SESSION_LABEL[session.status] ?? session.status.replaceAll('_', ' '));
  const context = session?.context ?? null;
  const note = noteFor(row, state.conflicts[row.id]);
  const contextTone: Tone | undefined =
    context === null ? undefined : context >= 75 ? 'red' : context >= 50 ? 'yellow' : undefined;
  const line: Line = [
    text(selected ? '▸ ' : '  ', { color: 'cyan', bold: true }),
    text(fit(row.id, cols.stage), { bold: selected, inverse: selected }),
    text(' '),
    text(fit(row.status, cols.state), { color: statusTone(row.status) }),
    text(' '),
    text(fit(sessionText, cols.session), {
      color: session === null ? undefined : statusTone(session.status),
    }),
    text(' '),
    text(fit(meter(context), cols.context), { color: contextTone }),
    text(' '),
  ];
  if (cols.cost > 0)
    line.push(
      text(fit(row.cost === null ? (session === null ? '' : '—') : formatCost(row.cost), cols.cost), {
        dim: row.cost === null,
      }),
      text(' '),
    );
  line.push(text(fit(elapsed(row.started, row.ended, state.now), cols.time)));
  if (cols.note > 0) line.push(text(' '), { ...note, text: cut(note.text, cols.note) });
  return line;
}

/** The rows that fit in `visible` lines, scrolled so the selection is in view. */
export function tableWindow(state: UiState, visible: number): DashboardRow[] {
  const rows = state.model.rows;
  if (rows.length <= visible) return rows;
  const at = Math.max(
    0,
    rows.findIndex((row) => row.id === state.selected),
  );
  const start = Math.max(0, Math.min(rows.length - visible, at - Math.floor(visible / 2)));
  return rows.slice(start, start + visible);
}

// ---- the DAG ----------------------------------------------------------------------

export function graphLines(state: UiState, graph: readonly string[], visible: number): Line[] {
  const width = state.size.columns;
  const at = graph.findIndex((line) => line.split(/\s+/)[1] === state.selected);
  const start = at < 0 ? 0 : Math.max(0, Math.min(graph.length - visible, at - Math.floor(visible / 2)));
  return graph.slice(start, start + visible).map((line, i) => {
    const selected = start + i === at;
    return [text(cut(`${selected ? '▸ ' : '  '}${line}`, width), { bold: selected })];
  });
}

// ---- the selected stage, the message, the keys ---------------------------------------

export function detailLines(state: UiState, max: number): Line[] {
  const row = state.model.rows.find((r) => r.id === state.selected);
  if (row === undefined || max <= 0) return [];
  const width = state.size.columns;
  const head = [
    row.name === row.id ? row.id : `${row.id}: ${row.name}`,
    row.dependencies.length === 0 ? '' : `after ${row.dependencies.join(', ')}`,
    row.session === null
      ? ''
      : `${row.session.id}${row.session.tmux === '' ? ' (started by hand)' : ` in tmux ${row.session.tmux}`}`,
  ]
    .filter((part) => part !== '')
    .join(' · ');
  const lines: Line[] = [[text(cut(head, width), { bold: true })]];
  const add = (value: string, style: Omit<Segment, 'text'> = {}): void => {
    for (const part of wrap(value, width, Math.max(1, max - lines.length)))
      if (lines.length < max) lines.push([text(part, style)]);
  };
  const waiting = row.session?.waiting;
  if (waiting !== null && waiting !== undefined)
    add(`asks permission for ${waiting.tool}: ${waiting.detail}`, { color: 'yellow' });
  if (row.reason !== null) add(`reason: ${row.reason}`);
  if (row.hint !== null) add(`hint: ${row.hint}`, { color: 'cyan' });
  const conflicts = state.conflicts[row.id];
  if (conflicts !== undefined)
    add(`merge preview: would conflict in ${conflicts.join(', ') || '(unknown files)'}`, { color: 'red' });
  if (row.attention !== null)
    add(waiting ? `→ ${row.attention.keys}` : `→ ${row.attention.what} [${row.attention.keys}]`, {
      color: 'yellow',
    });
  return lines;
}

export function messageLines(state: UiState, max: number): Line[] {
  const width = state.size.columns;
  if (state.busy !== null) return [[text(cut(state.busy, width), { color: 'cyan' })]];
  if (state.message === null) return [];
  const tone: Tone | undefined =
    state.message.tone === 'error' ? 'red' : state.message.tone === 'ok' ? 'green' : undefined;
  const wrapped = state.message.lines.flatMap((line) => wrap(line, width));
  const shown = wrapped.length > max ? [...wrapped.slice(0, max - 1), '… (esc clears)'] : wrapped;
  return shown.map((line, i) => [text(line, i === 0 ? { color: tone } : {})]);
}

/** The main screen's keys, in the order shown; the first ones are kept when the width is short. */
const MAIN_KEYS: Array<[string, string]> = [
  ['?', 'help'],
  ['q', 'quit'],
  ['a/d', 'allow/deny'],
  ['v', 'review'],
  ['m', 'merge'],
  ['r', 'resume'],
  ['enter', 'attach'],
  ['l', 'pane'],
  ['g', 'graph'],
  ['↑↓', 'select'],
];
const MAIN_ORDER = ['↑↓', 'enter', 'a/d', 'v', 'm', 'r', 'l', 'g', '?', 'q'];

/** As many of `keys` as fit, most important first, shown in `order` (default: as given). */
export function keyBar(
  keys: ReadonlyArray<[string, string]>,
  width: number,
  order: readonly string[] = keys.map(([key]) => key),
): Line {
  const kept: Array<[string, string]> = [];
  let used = 0;
  for (const [key, what] of keys) {
    const size = key.length + 1 + what.length + 2;
    if (used + size - 2 > width) continue;
    kept.push([key, what]);
    used += size;
  }
  kept.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  return kept.flatMap(([key, what], i) => [
    text(key, { color: 'cyan', bold: true }),
    text(i === kept.length - 1 ? ` ${what}` : ` ${what}  `, { dim: true }),
  ]);
}

/** The main screen: header, what waits on you, the table (or the DAG), the selected stage, the message, the keys. */
export function mainLines(state: UiState): Line[] {
  const graph = state.graph;
  const total = height(state);
  const tall = total >= 40;
  const header = headerLines(state);
  const attention = attentionLines(state, tall ? 8 : 4);
  const message = messageLines(state, tall ? 6 : 3);
  const footer = keyBar(MAIN_KEYS, state.size.columns, MAIN_ORDER);
  const fixed = header.length + 1 + (attention.length === 0 ? 0 : attention.length + 1) + message.length + 1;
  // The details take what the table leaves, up to a few lines; the table keeps its header and three rows.
  const available = total - fixed;
  const tableWants = 1 + (graph === null ? state.model.rows.length : graph.length);
  const details = detailLines(state, Math.min(tall ? 10 : 6, available - 1 - Math.min(tableWants, 4)));
  const tableHeight = Math.max(1, available - (details.length === 0 ? 0 : details.length + 1));
  const cols = columns(state.size.columns, state.model.rows);
  const body: Line[] =
    graph !== null
      ? graphLines(state, graph, tableHeight)
      : state.model.rows.length === 0
        ? [[text('No stages: `flux init <plan-path>` starts a plan.', { dim: true })]]
        : [
            tableHeader(cols),
            ...tableWindow(state, tableHeight - 1).map((row) => tableRow(state, row, cols)),
          ];
  const lines: Line[] = [...header, [], ...(attention.length === 0 ? [] : [...attention, []]), ...body];
  while (lines.length < total - message.length - 1 - (details.length === 0 ? 0 : details.length + 1))
    lines.push([]);
  if (details.length > 0) lines.push([text('─'.repeat(state.size.columns), { dim: true })], ...details);
  lines.push(...message);
  while (lines.length < total - 1) lines.push([]);
  lines.push(footer);
  return lines.slice(0, total);
}

// ---- the other screens --------------------------------------------------------------

export function reviewLines(state: UiState, screen: ReviewScreen): Line[] {
  const width = state.size.columns;
  const view = reviewViewport(state.size);
  const shown = [...screen.lines, ...(screen.partial === '' ? [] : [screen.partial])].slice(
    screen.scroll,
    screen.scroll + view,
  );
  const total = screen.lines.length;
  const position =
    total === 0
      ? ''
      : ` ${Math.min(total, screen.scroll + 1)}–${Math.min(total, screen.scroll + view)} of ${total}`;
  const lines: Line[] = [
    [text(cut(`Review ${screen.id}${position}`, width), { bold: true })],
    ...shown.map((line): Line => [text(line)]),
  ];
  while (lines.length < view + 1) lines.push([]);
  let status: Line;
  if (screen.running) status = [text(state.busy ?? 'Running the acceptance commands…', { color: 'cyan' })];
  else if (state.busy !== null) status = [text(cut(state.busy, width), { color: 'cyan' })];
  else if (screen.passed === false)
    status = [
      text(cut('✗ Acceptance failed at verify time: look at the failures above before you approve.', width), {
        color: 'red',
      }),
    ];
  else status = [text(cut('Approve and merge, reject, or go back without recording anything.', width))];
  lines.push(status);
  lines.push(
    keyBar(
      screen.running
        ? [
            ['↑↓', 'scroll'],
            ['G', 'follow'],
            ['esc', 'back'],
          ]
        : [
            ['a', 'approve'],
            ['r', 'reject'],
            ['↑↓/space/b', 'scroll'],
            ['g/G', 'top/end'],
            ...(screen.diffArgs === null ? [] : ([['p', '$PAGER']] as Array<[string, string]>)),
            ['esc', 'back'],
          ],
      width,
    ),
  );
  return lines;
}

export function paneLines(state: UiState, id: string, pane: readonly string[]): Line[] {
  const width = state.size.columns;
  const view = paneViewport(state.size);
  const row = state.model.rows.find((r) => r.id === id);
  const tmux = row?.session?.tmux ?? '';
  const shown = pane.slice(-view);
  const lines: Line[] = [
    [text(cut(`Pane of ${id}${tmux === '' ? '' : ` (tmux ${tmux})`}, live`, width), { bold: true })],
    [text('─'.repeat(width), { dim: true })],
    ...shown.map((line): Line => [text(cut(line, width))]),
  ];
  while (lines.length < view + 2) lines.push([]);
  lines.push(...messageLines(state, 1));
  while (lines.length < height(state) - 1) lines.push([]);
  lines.push(
    keyBar(
      [
        ['enter', 'attach'],
        ['esc/l', 'back'],
        ['?', 'help'],
      ],
      width,
    ),
  );
  return lines;
}

export const HELP: Array<[string, string]> = [
  ['↑/↓, j/k', 'select a stage (PgUp/PgDn, Home/End; tab: the next one waiting on you)'],
  ['enter', 'attach to its tmux session (detach with Ctrl+B D to come back)'],
  ['a', 'allow what its agent asks permission for (flux approve)'],
  ['d', 'deny it, with a reason for the agent (flux deny)'],
  ['v', 'review it: acceptance, commits, diff; then a approve and merge, r reject (flux verify)'],
  ['m', 'merge an approved stage (flux merge)'],
  ['r', 'a fresh session for a stage that stopped (flux resume)'],
  ['l', 'the last lines of its pane, live'],
  ['g', 'the DAG instead of the table (flux graph show)'],
  ['c', 'predict merge conflicts again (git merge-tree)'],
  ['esc', 'clear the message; leave a screen'],
  ['?', 'this help'],
  ['q', 'quit (Ctrl+C too); the agents keep running'],
];

export function helpLines(state: UiState): Line[] {
  const width = state.size.columns;
  const keyWidth = Math.max(...HELP.map(([key]) => key.length));
  const lines: Line[] = [[text('Keys', { bold: true })], []];
  for (const [key, what] of HELP) {
    const wrapped = wrap(what, Math.max(10, width - keyWidth - 4));
    lines.push([text(`  ${fit(key, keyWidth)}  `, { color: 'cyan', bold: true }), text(wrapped[0] ?? '')]);
    for (const more of wrapped.slice(1)) lines.push([text(`  ${' '.repeat(keyWidth)}  ${more}`)]);
  }
  lines.push(
    [],
    [text('Every key does what the command in brackets does. esc or ? closes this.', { dim: true })],
  );
  return lines.slice(0, height(state));
}

export function inputLines(state: UiState): Line[] {
  const overlay = state.overlay;
  if (overlay?.kind !== 'input') return [];
  const width = state.size.columns;
  return [
    ...wrap(overlay.prompt, width, 3).map((line): Line => [text(line, { bold: true })]),
    [text('> ', { color: 'cyan' }), text(overlay.value), text(' ', { inverse: true })],
    overlay.error === null
      ? [text('enter sends · esc cancels', { dim: true })]
      : [text(overlay.error, { color: 'red' })],
  ];
}

/** The whole frame: the screen that is up, with the help or the input line over it. */
export function frameLines(state: UiState): Line[] {
  const screen = state.screen;
  let lines =
    screen.kind === 'review'
      ? reviewLines(state, screen)
      : screen.kind === 'pane'
        ? paneLines(state, screen.id, screen.lines)
        : mainLines(state);
  if (state.overlay?.kind === 'help') lines = helpLines(state);
  if (state.overlay?.kind === 'input') {
    const input = inputLines(state);
    lines = [...lines.slice(0, Math.max(0, lines.length - input.length)), ...input];
  }
  const total = height(state);
  while (lines.length < total) lines.push([]);
  return lines.slice(0, total);
}
