/** LogDamagedError for one line, with a hint that says exactly how to recover. */
import { LogDamagedError } from '../errors.js';

const EXCERPT_CHARS = 80;

/**
 * @param line 1-based line number
 * @param lineOffset byte offset where the line starts: cutting the file there keeps lines 1..line-1
 */
export function damagedLine(
  logPath: string,
  line: number,
  lineOffset: number,
  text: string,
  problem: string,
): LogDamagedError {
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  const keep =
    line > 1
      ? `keep events 1–${line - 1} by cutting the file after line ${line - 1}`
      : 'start the log over by emptying it';
  return new LogDamagedError(
    `${logPath} line ${line}: ${problem}`,
    line,
    `the line reads ${JSON.stringify(excerpt)}. Restore the file from git or a backup, or ${keep}: ` +
      `truncate -s ${lineOffset} ${logPath}`,
  );
}
