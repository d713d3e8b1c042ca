/**
 * Getting arguments to a shell and to tmux exactly as meant (checked against
 * tmux 3.3a):
 * - two or more arguments after `--` are exec'd directly, with no shell, so
 *   they arrive exactly as given; a single argument is instead handed to the
 *   user's `default-shell -c`, so a one-word command is wrapped in
 *   `/bin/sh -c 'exec "$0"'` to keep it exact whatever that shell is;
 * - tmux splits its own argument list at any argument that ends in `;` (its
 *   command separator), so such an argument is sent as `…\;`;
 * - `-c <dir>` is format-expanded (`#{…}`), so `#` in a directory is doubled.
 */
import path from 'node:path';
import { RefusedError } from '../../errors.js';

/** Quotes one word for a POSIX shell, so the shell reads it back exactly. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line a POSIX shell splits back into exactly `argv` (for printing, e.g. `--manual`). */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** tmux ends a command at an argument ending in `;`; `\;` keeps the semicolon. */
export function escapeTmuxArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** What to put after `--`: exact argv, also for a lone program (see the file comment). */
export function commandArgs(command: readonly string[]): string[] {
  if (command.length === 0) throw new RefusedError('a tmux session needs a command to run');
  return command.length === 1 ? ['/bin/sh', '-c', 'exec "$0"', command[0] ?? ''] : [...command];
}

/** `-e KEY=value` for each variable; a name a shell could not read back is refused. */
export function envArgs(env: Record<string, string> = {}): string[] {
  return Object.entries(env).flatMap(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new RefusedError(`invalid environment variable name '${key}'`);
    return ['-e', `${key}=${value}`];
  });
}

/** A directory for `-c`: absolute, with `#` doubled (tmux format-expands it). */
export function dirArg(dir: string): string {
  return path.resolve(dir).replaceAll('#', '##');
}
