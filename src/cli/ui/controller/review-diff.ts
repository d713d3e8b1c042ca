/**
 * The diff at the end of the review: coloured like `git diff`, cut at a
 * limit (the whole of it is a key away, in $PAGER).
 */
import type { ReviewResult } from '../actions.js';
import { cleanLine } from '../text.js';

/** How many lines of a diff the review keeps; `p` shows the whole of it in $PAGER. */
export const DIFF_LINE_LIMIT = 5000;

function colorDiffLine(line: string, color: boolean): string {
  if (!color) return line;
  if (line.startsWith('+++') || line.startsWith('---')) return `\u001b[1m${line}\u001b[22m`;
  if (line.startsWith('+')) return `\u001b[32m${line}\u001b[39m`;
  if (line.startsWith('-')) return `\u001b[31m${line}\u001b[39m`;
  if (line.startsWith('@@')) return `\u001b[36m${line}\u001b[39m`;
  return line;
}

/** The review's lines for the diff: none without one, else a title and the (cut) diff. */
export function reviewDiffLines(result: ReviewResult, color: boolean): string[] {
  const diff = result.diff === null ? [] : result.diff.replace(/\n$/, '').split('\n');
  const shown = diff.slice(0, DIFF_LINE_LIMIT).map((line) => colorDiffLine(cleanLine(line, false), color));
  return result.diff === null || result.diff === ''
    ? []
    : [
        '',
        `Diff (${diff.length} line(s)${result.diffArgs === null ? '' : '; p opens it in $PAGER'}):`,
        ...shown,
        ...(diff.length > DIFF_LINE_LIMIT
          ? [`… ${diff.length - DIFF_LINE_LIMIT} more line(s): p shows the whole diff`]
          : []),
      ];
}
