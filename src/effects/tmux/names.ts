/** Names and targets as tmux reads them: session names, pane ids, and the label Flux keeps in a pane. */
import { RefusedError } from '../../errors.js';

/** tmux rewrites `.` and `:` in session names and reads `=`, `%`, `$`, `@` specially in targets. */
const SESSION_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** The pane option that names what Flux runs in a pane: pane ids restart at %0 with the server. */
export const PANE_LABEL_OPTION = '@flux-label';

export function assertSessionName(name: string): void {
  if (!SESSION_NAME_PATTERN.test(name)) {
    throw new RefusedError(
      `'${name}' cannot be a tmux session name`,
      'use letters, digits, `_` and `-` (tmux rewrites `.` and `:`)',
    );
  }
}

/** `%7`: a pane id, as tmux prints it (`#{pane_id}`); a session name never starts with `%`. */
export function isPaneId(target: string): boolean {
  return /^%\d+$/.test(target);
}

/** A session name becomes an exact-match target (`=name:` = its current window's active pane). */
export function paneTarget(target: string): string {
  return target.startsWith('%') ? target : `=${target}:`;
}
