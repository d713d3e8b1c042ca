/**
 * What a person attached to the agent's tmux pane sees: Claude Code's
 * transcript style (`⏺` for what the agent says and does, `⎿` for results)
 * and its idle input box, which screen-reading fallbacks also look for.
 */

/** Long command output is cut to its end, as Claude Code folds it. */
const MAX_RESULT_LINES = 20;

export class Screen {
  constructor(private readonly write: (text: string) => void = (text) => void process.stdout.write(text)) {}

  say(text: string): void {
    if (text !== '') this.write(`\n⏺ ${text}\n`);
  }

  tool(name: string, detail: string): void {
    this.write(`\n⏺ ${name}(${detail})\n`);
  }

  result(text: string): void {
    let lines = text.replace(/\s+$/, '').split('\n');
    if (lines.length > MAX_RESULT_LINES) {
      lines = [`… ${lines.length - MAX_RESULT_LINES} earlier lines`, ...lines.slice(-MAX_RESULT_LINES)];
    }
    this.write(lines.map((line, i) => `${i === 0 ? '  ⎿  ' : '     '}${line}`).join('\n') + '\n');
  }

  note(text: string): void {
    this.write(`  ${text}\n`);
  }

  idle(): void {
    const rule = '─'.repeat(60);
    this.write(`\n${rule}\n❯ \n${rule}\n`);
  }
}
