/**
 * The dashboard's state and what each key does to it, apart from rendering:
 * which row is selected, which screen is up (the table or the DAG, a review,
 * a pane), the help and input overlays, the message of the last action.
 * Keys call the actions (the same cores as the commands) one at a time; the
 * shell hands the terminal to tmux or a pager when a key needs it. The
 * screen subscribes and renders `getState()`.
 */
import { FluxError } from '../../errors.js';
import { renderGraphText } from '../graph-text.js';
import type { DashboardActions, Outcome, ReviewResult } from './actions.js';
import { buildModel, type DashboardModel, type DashboardRow } from './model.js';
import { cleanLine, stripAnsi } from './text.js';

export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

export interface Size {
  columns: number;
  rows: number;
}

export interface ReviewScreen {
  kind: 'review';
  id: string;
  lines: string[];
  /** Output of the running command after its last newline. */
  partial: string;
  running: boolean;
  passed: boolean | null;
  diffArgs: string[] | null;
  /** First line shown. */
  scroll: number;
  /** Keep the last line in view while output arrives (until the person scrolls). */
  follow: boolean;
}

export type Screen = { kind: 'main' } | ReviewScreen | { kind: 'pane'; id: string; lines: string[] };

export type Overlay =
  | null
  | { kind: 'help' }
  | {
      kind: 'input';
      purpose: 'deny' | 'reject';
      stage: string;
      prompt: string;
      value: string;
      /** Said under the prompt after an empty answer that needs one. */
      error: string | null;
    };

export interface Message {
  lines: string[];
  tone: 'info' | 'ok' | 'error';
}

export interface UiState {
  model: DashboardModel;
  selected: string | null;
  /** The DAG's lines (`flux graph show`), shown instead of the table after `g`; null for the table. */
  graph: string[] | null;
  screen: Screen;
  overlay: Overlay;
  message: Message | null;
  /** What is running now (`Merging stage-2…`); keys that act wait for it. */
  busy: string | null;
  /** Predicted merge conflicts per stage (`git merge-tree`), refreshed when a stage comes to wait for a merge. */
  conflicts: Record<string, string[]>;
  now: number;
  size: Size;
  color: boolean;
}

export interface Shell {
  /** Runs `argv` with the terminal handed over (the dashboard suspended), then comes back. */
  runInTerminal(argv: readonly string[]): Promise<{ status: number | null; error?: Error }>;
  /** Leaves the dashboard with this exit code. */
  quit(code: number): void;
}

export interface DashboardOptions {
  size: Size;
  color: boolean;
  now?: () => number;
  /**
   * Called when the log has told a person they are needed since the last
   * look (a `notification.sent` event): the terminal bell, with [notify] bell.
   */
  onNotice?: () => void;
  /** The row selected at first (`flux run --stage <id>`), if it is one. */
  select?: string;
}

/** How many notices the log has recorded (`notification.sent`, one key each). */
function noticeCount(state: { notified?: Record<string, true> }): number {
  return Object.keys(state.notified ?? {}).length;
}

/** How many lines of a diff the review keeps; `p` shows the whole of it in $PAGER. */
export const DIFF_LINE_LIMIT = 5000;

/** The message lines of an error: Flux's own as `error:` and `hint:`, anything else as an internal error. */
export function errorLines(error: unknown): string[] {
  if (error instanceof FluxError)
    return [`error: ${error.message}`, ...(error.hint === undefined ? [] : [`hint: ${error.hint}`])];
  return [`internal error: ${error instanceof Error ? error.message : String(error)}`];
}

/** Lines of the review screen's viewport: the screen less its title and footer. */
export function reviewViewport(size: Size): number {
  return Math.max(3, size.rows - 1 - 3);
}

/** Lines of the pane screen's viewport. */
export function paneViewport(size: Size): number {
  return Math.max(3, size.rows - 1 - 4);
}

function colorDiffLine(line: string, color: boolean): string {
  if (!color) return line;
  if (line.startsWith('+++') || line.startsWith('---')) return `\u001b[1m${line}\u001b[22m`;
  if (line.startsWith('+')) return `\u001b[32m${line}\u001b[39m`;
  if (line.startsWith('-')) return `\u001b[31m${line}\u001b[39m`;
  if (line.startsWith('@@')) return `\u001b[36m${line}\u001b[39m`;
  return line;
}

export class Dashboard {
  #state: UiState;
  readonly #actions: DashboardActions;
  readonly #shell: Shell;
  readonly #now: () => number;
  readonly #onNotice: (() => void) | undefined;
  /** Notices recorded as of the last look: only new ones ring, not those from before the dashboard opened. */
  #notices: number;
  readonly #listeners = new Set<() => void>();
  /** The completed and verified stages (and when they got there) the conflicts were predicted for. */
  #conflictsKey = '';

  constructor(actions: DashboardActions, shell: Shell, options: DashboardOptions) {
    this.#actions = actions;
    this.#shell = shell;
    this.#now = options.now ?? Date.now;
    this.#onNotice = options.onNotice;
    const state = actions.load();
    this.#notices = noticeCount(state);
    const model = buildModel(state, actions.supervisor());
    const chosen = options.select !== undefined && model.rows.some((row) => row.id === options.select);
    this.#state = {
      model,
      selected: chosen ? options.select! : (model.attention[0]?.stage ?? model.rows[0]?.id ?? null),
      graph: null,
      screen: { kind: 'main' },
      overlay: null,
      message: null,
      busy: null,
      conflicts: {},
      now: this.#now(),
      size: options.size,
      color: options.color,
    };
    this.#predictIfChanged();
  }

  getState = (): UiState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #set(patch: Partial<UiState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  #row(id: string | null = this.#state.selected): DashboardRow | undefined {
    return this.#state.model.rows.find((row) => row.id === id);
  }

  // ---- what comes from outside: the log, the clock, the terminal --------------------

  /** The log grew: fold what was appended and rebuild the view. */
  refresh(): void {
    const state = this.#actions.load();
    const notices = noticeCount(state);
    if (notices > this.#notices) this.#onNotice?.();
    this.#notices = notices;
    const model = buildModel(state, this.#actions.supervisor());
    const selected =
      this.#state.selected !== null && model.rows.some((row) => row.id === this.#state.selected)
        ? this.#state.selected
        : (model.rows[0]?.id ?? null);
    this.#set({ model, selected, ...(this.#state.graph === null ? {} : { graph: this.#graphText() }) });
    this.#predictIfChanged();
  }

  /** `refresh`, with what goes wrong (a damaged line in the log) said in the message area. */
  #refreshOrSay(): void {
    try {
      this.refresh();
    } catch (error) {
      this.showError(error);
    }
  }

  /** Something outside the keys went wrong (the log could not be read): say so, keep running. */
  showError(error: unknown): void {
    this.#set({ message: { lines: errorLines(error), tone: 'error' } });
  }

  /** `flux graph show`'s table (the header above already names the plan). */
  #graphText(): string[] {
    const text = renderGraphText(this.#actions.load());
    const lines = (this.#state.color ? text : stripAnsi(text)).split('\n');
    const table = lines.findIndex((line) => stripAnsi(line).startsWith('LAYER'));
    return table < 0 ? lines : lines.slice(table);
  }

  /** The slow clock: elapsed times, the supervisor, and the live pane. */
  tick(): void {
    const supervisor = this.#actions.supervisor();
    const changed = JSON.stringify(supervisor) !== JSON.stringify(this.#state.model.supervisor);
    this.#set({ now: this.#now(), ...(changed ? { model: { ...this.#state.model, supervisor } } : {}) });
    if (this.#state.screen.kind === 'pane') void this.#loadPane(this.#state.screen.id);
  }

  resize(size: Size): void {
    this.#set({ size });
  }

  #predictIfChanged(force = false): void {
    const waiting = this.#state.model.rows
      .filter((row) => row.status === 'completed' || row.status === 'verified')
      .map((row) => row.id);
    const state = this.#actions.load();
    const key = waiting.map((id) => `${id}@${state.stages[id]?.since ?? ''}`).join(' ');
    if (!force && key === this.#conflictsKey) return;
    this.#conflictsKey = key;
    if (waiting.length === 0) {
      if (Object.keys(this.#state.conflicts).length > 0) this.#set({ conflicts: {} });
      return;
    }
    this.#actions.conflicts().then(
      (conflicts) => this.#set({ conflicts }),
      () => undefined, // a prediction is a hint: without one the column stays empty
    );
  }

  // ---- keys ------------------------------------------------------------------------

  key(input: string, key: KeyPress): void {
    if (key.ctrl === true && input === 'c') {
      this.#shell.quit(130);
      return;
    }
    const { overlay, screen } = this.#state;
    if (overlay?.kind === 'input') return this.#inputKey(input, key);
    if (overlay?.kind === 'help') {
      if (key.escape === true || input === '?' || input === 'q') this.#set({ overlay: null });
      return;
    }
    if (input === '?') return this.#set({ overlay: { kind: 'help' } });
    if (screen.kind === 'review') return this.#reviewKey(input, key, screen);
    if (screen.kind === 'pane') return this.#paneKey(input, key, screen.id);
    this.#mainKey(input, key);
  }

  #mainKey(input: string, key: KeyPress): void {
    const page = Math.max(1, this.#state.size.rows - 12);
    if (key.upArrow === true || input === 'k') return this.#move(-1);
    if (key.downArrow === true || input === 'j') return this.#move(1);
    if (key.pageUp === true) return this.#move(-page);
    if (key.pageDown === true) return this.#move(page);
    if (key.home === true) return this.#move(-Infinity);
    if (key.end === true) return this.#move(Infinity);
    if (key.tab === true) return this.#nextAttention();
    if (key.escape === true) return this.#set({ message: null });
    if (input === 'q') return this.#shell.quit(0);
    if (input === 'g') return this.#set({ graph: this.#state.graph === null ? this.#graphText() : null });
    if (input === 'c') return this.#predictIfChanged(true);
    const row = this.#row();
    if (row === undefined) return;
    if (key.return === true) return void this.#attach(row.id);
    switch (input) {
      case 'a':
        return void this.#act(`Answering ${row.id}'s question…`, () =>
          this.#actions.approvePermission(row.id),
        );
      case 'd':
        return this.#askDenyReason(row);
      case 'v':
        return void this.#review(row.id);
      case 'm':
        return void this.#act(`Merging ${row.id}…`, () => this.#actions.merge(row.id));
      case 'r':
        return void this.#act(`Resuming ${row.id}…`, () => this.#actions.resume(row.id));
      case 'l':
        this.#set({ screen: { kind: 'pane', id: row.id, lines: [] } });
        return void this.#loadPane(row.id);
    }
  }

  #move(delta: number): void {
    const rows = this.#state.model.rows;
    if (rows.length === 0) return;
    const at = Math.max(
      0,
      rows.findIndex((row) => row.id === this.#state.selected),
    );
    const next = Math.max(0, Math.min(rows.length - 1, at + delta));
    this.#set({ selected: rows[next]!.id });
  }

  #nextAttention(): void {
    const { rows, attention } = this.#state.model;
    if (attention.length === 0) return;
    const waiting = rows.filter((row) => row.attention !== null);
    const at = waiting.findIndex((row) => row.id === this.#state.selected);
    this.#set({ selected: waiting[(at + 1) % waiting.length]!.id });
  }

  /**
   * Runs one action at a time, and shows what it said (or why it did
   * nothing); `then` runs after it either way (leaving the review).
   */
  async #act(label: string, action: () => Promise<Outcome>, then?: () => void): Promise<void> {
    if (this.#state.busy !== null) {
      this.#set({ message: { lines: [`Still busy: ${this.#state.busy}`], tone: 'info' } });
      return;
    }
    this.#set({ busy: label, message: null });
    let message: Message;
    try {
      const outcome = await action();
      message =
        outcome.error === undefined
          ? { lines: outcome.lines, tone: 'ok' }
          : { lines: [...outcome.lines, ...errorLines(outcome.error)], tone: 'error' };
    } catch (error) {
      message = { lines: errorLines(error), tone: 'error' };
    }
    then?.();
    this.#set({ busy: null, message });
    this.#refreshOrSay();
  }

  // ---- the deny and reject reasons --------------------------------------------------

  #askDenyReason(row: DashboardRow): void {
    const waiting = row.session?.waiting;
    if (waiting === null || waiting === undefined) {
      // What `flux deny` says about a stage that is not asking.
      void this.#act('Answering…', () => this.#actions.denyPermission(row.id, undefined));
      return;
    }
    this.#set({
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

  #inputKey(input: string, key: KeyPress): void {
    const overlay = this.#state.overlay;
    if (overlay?.kind !== 'input') return;
    if (key.escape === true) return this.#set({ overlay: null });
    if (key.return === true) return this.#submit(overlay);
    if (key.backspace === true || key.delete === true)
      return this.#set({ overlay: { ...overlay, value: [...overlay.value].slice(0, -1).join('') } });
    if (key.ctrl === true || key.meta === true || key.tab === true) return;
    if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return;
    // Typed ahead or pasted, several keys arrive as one string: erase where a backspace is.
    let value = [...overlay.value];
    for (const char of input.replace(/[\r\n]+/g, ' ')) {
      if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
      else if (char >= ' ') value.push(char);
    }
    if (value.join('') !== overlay.value)
      this.#set({ overlay: { ...overlay, value: value.join(''), error: null } });
  }

  #submit(overlay: Extract<Overlay, { kind: 'input' }>): void {
    const reason = overlay.value.trim();
    if (overlay.purpose === 'deny') {
      this.#set({ overlay: null });
      void this.#act(`Answering ${overlay.stage}'s question…`, () =>
        this.#actions.denyPermission(overlay.stage, reason === '' ? undefined : reason),
      );
      return;
    }
    if (reason === '') {
      this.#set({ overlay: { ...overlay, error: 'A reason is needed: say what to change.' } });
      return;
    }
    this.#set({ overlay: null });
    void this.#act(
      `Rejecting ${overlay.stage}…`,
      () => this.#actions.reject(overlay.stage, reason),
      () => this.#set({ screen: { kind: 'main' } }),
    );
  }

  // ---- the review -------------------------------------------------------------------

  async #review(id: string): Promise<void> {
    if (this.#state.busy !== null) {
      this.#set({ message: { lines: [`Still busy: ${this.#state.busy}`], tone: 'info' } });
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
      const current = this.#state.screen;
      // The person may have left the review while it ran: then only its record remains.
      if (current.kind !== 'review' || current.id !== id) return;
      const next = { ...current, ...patch };
      if (next.follow) next.scroll = Math.max(0, next.lines.length + 1 - reviewViewport(this.#state.size));
      this.#set({ screen: next });
    };
    const current = (): ReviewScreen | null => {
      const s = this.#state.screen;
      return s.kind === 'review' && s.id === id ? s : null;
    };
    const color = this.#state.color;
    const sink = {
      line: (text: string) => {
        if (!opened) {
          opened = true;
          this.#set({ screen, message: null, busy: `Reviewing ${id}…` });
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
      result = await this.#actions.review(id, sink);
    } catch (error) {
      // Refused before anything ran (not completed), or git failed midway.
      if (opened) update({ running: false, lines: [...(current()?.lines ?? []), '', ...errorLines(error)] });
      else this.#set({ message: { lines: errorLines(error), tone: 'error' } });
      this.#set({ busy: null });
      return;
    }
    const s = current();
    this.#set({ busy: null });
    if (s === null) return;
    const diff = result.diff === null ? [] : result.diff.replace(/\n$/, '').split('\n');
    const shown = diff.slice(0, DIFF_LINE_LIMIT).map((line) => colorDiffLine(cleanLine(line, false), color));
    const diffLines =
      result.diff === null || result.diff === ''
        ? []
        : [
            '',
            `Diff (${diff.length} line(s)${result.diffArgs === null ? '' : '; p opens it in $PAGER'}):`,
            ...shown,
            ...(diff.length > DIFF_LINE_LIMIT
              ? [`… ${diff.length - DIFF_LINE_LIMIT} more line(s): p shows the whole diff`]
              : []),
          ];
    update({
      running: false,
      passed: result.passed,
      diffArgs: result.diffArgs,
      lines: [...s.lines, ...(s.partial === '' ? [] : [cleanLine(s.partial, color)]), ...diffLines],
      partial: '',
      follow: false,
      scroll: s.follow ? 0 : s.scroll,
    });
  }

  #reviewKey(input: string, key: KeyPress, screen: ReviewScreen): void {
    const view = reviewViewport(this.#state.size);
    const last = Math.max(0, screen.lines.length - view);
    const scrollTo = (scroll: number, follow = false): void =>
      this.#set({ screen: { ...screen, scroll: Math.max(0, Math.min(last, scroll)), follow } });
    if (key.escape === true || input === 'q') return this.#set({ screen: { kind: 'main' } });
    if (key.upArrow === true || input === 'k') return scrollTo(screen.scroll - 1);
    if (key.downArrow === true || input === 'j' || key.return === true) return scrollTo(screen.scroll + 1);
    if (key.pageUp === true || input === 'b') return scrollTo(screen.scroll - view);
    if (key.pageDown === true || input === ' ') return scrollTo(screen.scroll + view);
    if (key.home === true || input === 'g') return scrollTo(0);
    if (key.end === true || input === 'G') return scrollTo(last, screen.running);
    if (screen.running) return;
    if (input === 'p' && screen.diffArgs !== null) return void this.#pager(screen.diffArgs);
    if (input === 'a')
      return void this.#act(
        `Approving and merging ${screen.id}…`,
        () => this.#actions.approve(screen.id),
        () => this.#set({ screen: { kind: 'main' } }),
      );
    if (input === 'r')
      this.#set({
        overlay: {
          kind: 'input',
          purpose: 'reject',
          stage: screen.id,
          prompt: 'Why is it rejected? (the next session is told this)',
          value: '',
          error: null,
        },
      });
  }

  async #pager(argv: string[]): Promise<void> {
    const result = await this.#shell.runInTerminal(argv);
    if (result.error !== undefined)
      this.#set({ message: { lines: [`cannot run ${argv[0]}: ${result.error.message}`], tone: 'error' } });
  }

  // ---- attaching, and the pane -------------------------------------------------------

  async #attach(id: string): Promise<void> {
    let target: { argv: string[]; banner: string };
    try {
      target = await this.#actions.attach(id);
    } catch (error) {
      this.#set({ message: { lines: errorLines(error), tone: 'error' } });
      return;
    }
    const result = await this.#shell.runInTerminal(target.argv);
    this.#set({
      message:
        result.error === undefined
          ? {
              lines: [`Back from ${id}'s session (tmux exited ${result.status ?? 'by a signal'}).`],
              tone: 'info',
            }
          : {
              lines: [
                `error: cannot run ${target.argv[0]}: ${result.error.message}`,
                'hint: is tmux installed?',
              ],
              tone: 'error',
            },
    });
    this.#refreshOrSay();
  }

  #paneKey(input: string, key: KeyPress, id: string): void {
    if (key.escape === true || input === 'q' || input === 'l') return this.#set({ screen: { kind: 'main' } });
    if (key.return === true) return void this.#attach(id);
  }

  async #loadPane(id: string): Promise<void> {
    let lines: string[];
    try {
      lines = await this.#actions.pane(id, paneViewport(this.#state.size));
    } catch (error) {
      lines = errorLines(error);
    }
    const screen = this.#state.screen;
    if (screen.kind !== 'pane' || screen.id !== id) return;
    this.#set({ screen: { ...screen, lines: lines.map((line) => cleanLine(line, false)) } });
  }
}
