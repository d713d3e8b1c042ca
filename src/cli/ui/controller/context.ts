/**
 * What the key handlers in this folder get from the Dashboard: its state,
 * the way to change it, the actions and the shell, and the one-at-a-time
 * runner for an action. The handlers are functions of it, so each screen's
 * keys sit in a file of their own while the Dashboard keeps the state.
 */
import type { DashboardActions, Outcome } from '../actions.js';
import type { Shell, UiState } from '../state.js';

export interface DashboardContext {
  /** The state as it is now (read it again after an await). */
  state(): UiState;
  set(patch: Partial<UiState>): void;
  readonly actions: DashboardActions;
  readonly shell: Shell;
  /**
   * Runs one action at a time, and shows what it said (or why it did
   * nothing); `then` runs after it either way (leaving the review).
   */
  act(label: string, action: () => Promise<Outcome>, then?: () => void): Promise<void>;
  /** Folds the log again, saying in the message area what went wrong, if anything. */
  refreshOrSay(): void;
}
