/**
 * Context usage read off Claude Code's transcript: the last assistant
 * message's `usage`. The status line reports the same figure, but about
 * 300 ms after each message, so a Stop that follows at once would judge the
 * handoff threshold by the previous turn's figure (docs/claude-code-findings.md).
 *
 * The path comes from the hook's stdin, so it is not trusted: only a regular
 * file is read (a FIFO would block the open, a device could be endless),
 * only its tail, and never while the log's lock is held.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { contextPercent } from './input.js';

/** Only the end of a long transcript is read: the last assistant message is there. */
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

/** The last TAIL_BYTES of a regular file; null for anything else or anything unreadable. */
function readTail(file: string): string | null {
  try {
    // stat first: opening a FIFO waits for a writer, opening some devices acts on them.
    if (!statSync(file).isFile()) return null;
    // O_NONBLOCK in case it was swapped for a FIFO since; fstat checks what was opened.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return null;
      const length = Math.min(stat.size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      const read = readSync(fd, buffer, 0, length, stat.size - length);
      return buffer.toString('utf8', 0, read);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** The tokens in context after the last assistant message of the transcript; null if none. */
export function tokensFromTranscript(transcriptPath: string): number | null {
  const text = readTail(transcriptPath);
  if (text === null) return null;
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes('"assistant"') || !line.includes('"usage"')) continue;
    try {
      const entry = JSON.parse(line) as { type?: string; message?: { usage?: Usage } };
      if (entry.type !== 'assistant' || entry.message?.usage === undefined) continue;
      const tokens = tokensInContext(entry.message.usage);
      return Number.isFinite(tokens) && tokens >= 0 ? tokens : null;
    } catch {
      // The first line of the tail may be cut in half.
    }
  }
  return null;
}

/** `tokens` in percent of `windowSize`, kept within 0–100 (a transcript can count past the window); null if unknown. */
export function contextOfWindow(tokens: number | null, windowSize: number): number | null {
  if (tokens === null || !(windowSize > 0)) return null;
  return contextPercent(Math.min(100, (tokens / windowSize) * 100));
}

/** The context used, in percent of `windowSize`, by the last assistant message of the transcript; null if none. */
export function contextFromTranscript(transcriptPath: string, windowSize: number): number | null {
  return contextOfWindow(tokensFromTranscript(transcriptPath), windowSize);
}
