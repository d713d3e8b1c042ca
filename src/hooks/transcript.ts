/**
 * Context usage read off Claude Code's transcript: the last assistant
 * message's `usage`. The status line reports the same figure, but about
 * 300 ms after each message, so a Stop that follows at once would judge the
 * handoff threshold by the previous turn's figure (docs/claude-code-findings.md).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Only the end of a long transcript is read. */
const TAIL_BYTES = 256 * 1024;

interface Usage {
  input_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export function tokensInContext(usage: Usage): number {
  return (
    (usage.input_tokens ?? 0) +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

/** The context used, in percent of `windowSize`, by the last assistant message of the transcript; null if none. */
export function contextFromTranscript(transcriptPath: string, windowSize: number): number | null {
  let text: string;
  try {
    const fd = openSync(transcriptPath, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes('"assistant"') || !line.includes('"usage"')) continue;
    try {
      const entry = JSON.parse(line) as { type?: string; message?: { usage?: Usage } };
      if (entry.type !== 'assistant' || entry.message?.usage === undefined) continue;
      return Math.min(100, (tokensInContext(entry.message.usage) / windowSize) * 100);
    } catch {
      // The first line of the tail may be cut in half.
    }
  }
  return null;
}
