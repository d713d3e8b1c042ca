/**
 * The terminal while the dashboard has it: the alternate screen (so the
 * shell's screen comes back untouched on quit), and a promise to give it
 * back sane however the process ends: raw mode off, the cursor shown, the
 * normal screen restored. Ink restores raw mode and the cursor when it
 * unmounts; the 'exit' handler covers a crash or an exit that skips that.
 */
const ENTER_ALT = '\u001b[?1049h\u001b[H\u001b[2J';
const LEAVE_ALT = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

export interface TerminalStreams {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

export class TerminalScreen {
  readonly #streams: TerminalStreams;
  #inAlternate = false;
  readonly #onExit = (): void => this.restore();

  constructor(streams: TerminalStreams = { stdout: process.stdout, stdin: process.stdin }) {
    this.#streams = streams;
    process.on('exit', this.#onExit);
  }

  /** Switches to the alternate screen, cleared. */
  enter(): void {
    if (this.#inAlternate) return;
    this.#streams.stdout.write(ENTER_ALT);
    this.#inAlternate = true;
  }

  /** Back to the normal screen, with the cursor shown and the line discipline cooked (before tmux or a pager takes over). */
  leave(): void {
    const { stdin, stdout } = this.#streams;
    if (stdin.isTTY === true && stdin.isRaw === true) stdin.setRawMode(false);
    stdout.write(SHOW_CURSOR + (this.#inAlternate ? LEAVE_ALT : ''));
    this.#inAlternate = false;
  }

  /** Leaves the screen for good; safe to call more than once (and from the 'exit' handler). */
  restore(): void {
    try {
      this.leave();
    } catch {
      // The terminal is gone (a closed pty): nothing left to restore.
    }
  }

  dispose(): void {
    this.restore();
    process.off('exit', this.#onExit);
  }
}
