/**
 * ssh hands the remote side one command line, which the host's shell splits
 * again: the only way to keep an argument array intact across it is to quote
 * every argument for a POSIX shell. Flux builds every remote command from an
 * argv here, so no caller writes a shell string for a host.
 */

/** `it's` → `'it'\''s'`; plain words stay bare so the command reads well in logs. */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line a host's shell turns back into exactly `argv`. */
export function remoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('remoteCommand: empty argv');
  return argv.map(shellQuote).join(' ');
}

/** `cd -- <dir> && <argv>`: a command run in a folder of the host. */
export function remoteCommandIn(dir: string, argv: readonly string[]): string {
  return `cd -- ${shellQuote(dir)} && ${remoteCommand(argv)}`;
}
