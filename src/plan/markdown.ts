/**
 * The markdown side of a plan: the metadata block and the title. Markers and
 * fences are matched on whole lines (surrounding spaces and `\r` ignored).
 */
import { posix } from 'node:path';
import { PlanError } from '../errors.js';

export const START_MARKER = '<!-- FLUX METADATA -->';
export const END_MARKER = '<!-- END FLUX METADATA -->';

const START_LINE = /^<!--\s*FLUX METADATA\s*-->$/;
const END_LINE = /^<!--\s*END FLUX METADATA\s*-->$/;
const FENCE_OPEN = /^(`{3,}|~{3,})\s*([^\s`]*)\s*$/;

export interface MetadataBlock {
  /** The text between the ```yaml fence lines. */
  yaml: string;
  /** The 1-based line of the file on which `yaml` starts. */
  firstLine: number;
}

function isFenceClose(line: string, open: string): boolean {
  const match = /^(`{3,}|~{3,})\s*$/.exec(line);
  return match !== null && match[1]?.[0] === open[0] && (match[1]?.length ?? 0) >= open.length;
}

/** Finds the ```yaml block between the metadata markers; throws PlanError when it is missing or broken. */
export function extractMetadata(text: string, file: string): MetadataBlock {
  const lines = text.split('\n').map((line) => line.trim());
  function fail(line: number | undefined, message: string, hint: string): never {
    throw new PlanError({ location: { file, line }, message, hint });
  }

  const start = lines.findIndex((line) => START_LINE.test(line));
  const end = lines.findIndex((line, i) => i > start && END_LINE.test(line));
  if (start === -1) {
    const orphanEnd = lines.findIndex((line) => END_LINE.test(line));
    if (orphanEnd !== -1) {
      fail(
        orphanEnd + 1,
        `\`${END_MARKER}\` without a \`${START_MARKER}\` before it`,
        `add \`${START_MARKER}\` on its own line before the \`\`\`yaml block`,
      );
    }
    fail(
      undefined,
      'no metadata block',
      `add a \`\`\`yaml block between \`${START_MARKER}\` and \`${END_MARKER}\` lines (docs/plan-format.md shows one)`,
    );
  }
  const second = lines.findIndex((line, i) => i > start && START_LINE.test(line));
  if (second !== -1) {
    fail(
      second + 1,
      `a second \`${START_MARKER}\` (the first is at line ${start + 1})`,
      'a plan has exactly one metadata block: merge the two',
    );
  }
  if (end === -1) {
    fail(
      start + 1,
      `\`${START_MARKER}\` is never closed`,
      `add \`${END_MARKER}\` on its own line after the \`\`\`yaml block`,
    );
  }

  const fence = lines.findIndex((line, i) => i > start && i < end && line !== '');
  const open = fence === -1 ? null : FENCE_OPEN.exec(lines[fence] as string);
  if (open === null) {
    fail(
      fence === -1 ? start + 1 : fence + 1,
      `the metadata block (lines ${start + 1}-${end + 1}) does not start with a \`\`\`yaml fence`,
      'put the YAML inside a ```yaml ... ``` fence between the markers',
    );
  }
  const [, marks, language] = open as RegExpExecArray;
  if (language !== 'yaml' && language !== 'yml') {
    fail(
      fence + 1,
      language === ''
        ? 'the metadata fence has no language'
        : `the metadata fence is \`${language}\`, not \`yaml\``,
      `open the block with \`\`\`yaml`,
    );
  }
  const close = lines.findIndex((line, i) => i > fence && i < end && isFenceClose(line, marks as string));
  if (close === -1) {
    fail(
      fence + 1,
      `the \`\`\`yaml fence is not closed before \`${END_MARKER}\` (line ${end + 1})`,
      `add a line with ${marks} after the YAML`,
    );
  }

  // The original lines, not the trimmed ones, so YAML columns stay true; only a CR before the LF goes.
  const original = text.split('\n').map((line) => line.replace(/\r$/, ''));
  return { yaml: original.slice(fence + 1, close).join('\n') + '\n', firstLine: fence + 2 };
}

/** The first `# ` heading outside code fences, without a leading `PLAN:`; else the file's name. */
export function extractTitle(text: string, file: string): string {
  let fence: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (fence !== undefined) {
      if (isFenceClose(line, fence)) fence = undefined;
      continue;
    }
    const open = /^(`{3,}|~{3,})/.exec(line);
    if (open !== null) {
      fence = open[1];
      continue;
    }
    const heading = /^# (.*)$/.exec(raw.trimEnd());
    if (heading !== null) {
      const title = (heading[1] as string)
        .replace(/\s+#+$/, '')
        .replace(/^PLAN:\s*/i, '')
        .trim();
      if (title !== '') return title;
    }
  }
  return posix.basename(file.replace(/\\/g, '/'));
}
