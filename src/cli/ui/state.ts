/**
 * The dashboard's state, as the controller keeps it and the frame draws it:
 * the screens, the overlays, the message, and what the controller is given
 * (the shell it hands the terminal to, its options). Types only, so the
 * frame and the controller share them without importing each other.
 */
import type { DashboardModel } from './model.js';

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
