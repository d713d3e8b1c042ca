/**
 * The dashboard's state and what each key does to it, apart from rendering:
 * which row is selected, which screen is up (the table or the DAG, a review,
 * a pane), the help and input overlays, the message of the last action.
 * Keys call the actions (the same cores as the commands) one at a time; the
 * shell hands the terminal to tmux or a pager when a key needs it. The
 * screen subscribes and renders `getState()`.
 *
 * The Dashboard holds the state and the main screen's keys; the other
 * screens' keys are in controller/ (review, pane, reasons), as functions of
 * a DashboardContext the Dashboard gives them.
 */
import type { DashboardActions, Outcome } from './actions.js';
import type { DashboardContext } from './controller/context.js';
import { dagLines } from './controller/dag.js';
import { errorLines } from './controller/error-lines.js';
import { attach, loadPane, openPane, paneKey } from './controller/pane.js';
import { askDenyReason, inputKey } from './controller/reasons.js';
import { review, reviewKey } from './controller/review.js';
import { moveSelection, nextAttention } from './controller/selection.js';
import { buildModel, type DashboardRow } from './model.js';
import type { DashboardOptions, KeyPress, Message, Shell, Size, UiState } from './state.js';

// The state's types, for the screen and the tests that drive the dashboard.
export type { DashboardOptions, KeyPress, Shell, Size, UiState } from './state.js';

/** How many notices the log has recorded (`notification.sent`, one key each). */
function noticeCount(state: { notified?: Record<string, true> }): number {
  return Object.keys(state.notified ?? {}).length;
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
  /** What the handlers in controller/ see of this dashboard. */
  readonly #context: DashboardContext;

  constructor(actions: DashboardActions, shell: Shell, options: DashboardOptions) {
    this.#actions = actions;
    this.#shell = shell;
    this.#now = options.now ?? Date.now;
    this.#onNotice = options.onNotice;
    this.#context = {
      state: () => this.#state,
      set: (patch) => this.#set(patch),
      actions,
      shell,
      act: (label, action, then) => this.#act(label, action, then),
      refreshOrSay: () => this.#refreshOrSay(),
    };
    const state = actions.load();
    this.#notices = noticeCount(state);
    const model = buildModel(
      state,
      actions.supervisor(),
      { defaults: actions.budgetDefaults(), now: Date.now() },
      actions.hosts(),
    );
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
    const model = buildModel(
      state,
      this.#actions.supervisor(),
      { defaults: this.#actions.budgetDefaults(), now: Date.now() },
      this.#actions.hosts(),
    );
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

  /** `flux graph show`'s table (`controller/dag.ts`). */
  #graphText(): string[] {
    return dagLines(this.#actions.load(), this.#state.color);
  }

  /** The slow clock: elapsed times, the supervisor, and the live pane. */
  tick(): void {
    const supervisor = this.#actions.supervisor();
    const changed = JSON.stringify(supervisor) !== JSON.stringify(this.#state.model.supervisor);
    this.#set({ now: this.#now(), ...(changed ? { model: { ...this.#state.model, supervisor } } : {}) });
    if (this.#state.screen.kind === 'pane') void loadPane(this.#context, this.#state.screen.id);
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
    if (overlay?.kind === 'input') return inputKey(this.#context, input, key);
    if (overlay?.kind === 'help') {
      if (key.escape === true || input === '?' || input === 'q') this.#set({ overlay: null });
      return;
    }
    if (input === '?') return this.#set({ overlay: { kind: 'help' } });
    if (screen.kind === 'review') return reviewKey(this.#context, input, key, screen);
    if (screen.kind === 'pane') return paneKey(this.#context, input, key, screen.id);
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
    if (key.tab === true) return this.#select(nextAttention(this.#state.model, this.#state.selected));
    if (key.escape === true) return this.#set({ message: null });
    if (input === 'q') return this.#shell.quit(0);
    if (input === 'g') return this.#set({ graph: this.#state.graph === null ? this.#graphText() : null });
    if (input === 'c') return this.#predictIfChanged(true);
    const row = this.#row();
    if (row === undefined) return;
    if (key.return === true) return void attach(this.#context, row.id);
    switch (input) {
      case 'a':
        return void this.#act(`Answering ${row.id}'s question…`, () =>
          this.#actions.approvePermission(row.id),
        );
      case 'd':
        return askDenyReason(this.#context, row);
      case 'v':
        return void review(this.#context, row.id);
      case 'm':
        return void this.#act(`Merging ${row.id}…`, () => this.#actions.merge(row.id));
      case 'r':
        return void this.#act(`Resuming ${row.id}…`, () => this.#actions.resume(row.id));
      case 'l':
        return openPane(this.#context, row.id);
    }
  }

  #move(delta: number): void {
    this.#select(moveSelection(this.#state.model, this.#state.selected, delta));
  }

  #select(id: string | undefined): void {
    if (id !== undefined) this.#set({ selected: id });
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
}
