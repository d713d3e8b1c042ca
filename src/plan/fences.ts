/**
 * Code fences, as CommonMark defines them: a line of three or more backticks
 * or tildes opens one (a backtick fence's info string may not hold a
 * backtick); only a line of the same character, at least as long, with
 * nothing but spaces after it, closes it; a fence left open runs to the end
 * of the document. Lines are taken trimmed, so fences indented in list items
 * count (Flux does not parse lists or indented code blocks).
 */

export interface Fence {
  /** The run of backticks or tildes that opened it. */
  marks: string;
  /** The first word of the info string (`yaml`), '' when there is none. */
  language: string;
}

/** The fence `line` opens, if it opens one. */
export function fenceOpening(line: string): Fence | undefined {
  const match = /^(`{3,}|~{3,})(.*)$/.exec(line.trim());
  if (match === null) return undefined;
  const [, marks, info] = match as unknown as [string, string, string];
  if (marks.startsWith('`') && info.includes('`')) return undefined;
  return { marks, language: info.trim().split(/\s+/)[0] ?? '' };
}

/** Whether `line` closes `fence`. */
export function closesFence(line: string, fence: Fence): boolean {
  const match = /^(`{3,}|~{3,})$/.exec(line.trim());
  return match !== null && match[1]![0] === fence.marks[0] && match[1]!.length >= fence.marks.length;
}
