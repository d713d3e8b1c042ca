/**
 * The markdown side of a plan: the metadata block and the title. Markers and
 * fences are matched on whole lines (surrounding spaces and `\r` ignored).
 * Only markers outside code fences count: a block shown inside a fence (as
 * docs and READMEs do) is an example, not the plan.
 */
import { posix } from 'node:path';
import { PlanError } from '../errors.js';
import { closesFence, fenceOpening, type Fence } from './fences.js';

export const START_MARKER = '<!-- FLUX METADATA -->';
export const END_MARKER = '<!-- END FLUX METADATA -->';

const START_LINE = /^<!--\s*FLUX METADATA\s*-->$/;
const END_LINE = /^<!--\s*END FLUX METADATA\s*-->$/;

export interface MetadataBlock {
  /** The text between the ```yaml fence lines. */
  yaml: string;
  /** The 1-based line of the file on which `yaml` starts. */
  firstLine: number;
}

interface OpenFence extends Fence {
  /** 0-based lines; `close` is -1 while (or when left) open. */
  open: number;
  close: number;
}

/** The markers and fences of a document, as `extractMetadata` needs them (0-based lines). */
interface Outline {
  /** Start and end markers outside any fence. */
  starts: number[];
  ends: number[];
  /** The first start marker inside a fence, and where that fence opens: for the hint. */
  fencedStart: { line: number; fenceLine: number } | undefined;
  /** The first non-blank line after the first start marker, and the fence it opens. */
  firstContent: number | undefined;
  metadataFence: OpenFence | undefined;
}

function outline(lines: readonly string[]): Outline {
  const result: Outline = {
    starts: [],
    ends: [],
    fencedStart: undefined,
    firstContent: undefined,
    metadataFence: undefined,
  };
  let fence: OpenFence | undefined;
  lines.forEach((line, index) => {
    if (result.starts.length > 0 && result.firstContent === undefined && line !== '') {
      result.firstContent = index;
    }
    if (fence !== undefined) {
      if (closesFence(line, fence)) {
        fence.close = index;
        fence = undefined;
      } else if (fence === result.metadataFence && END_LINE.test(line)) {
        // The YAML fence was left open: its end marker still ends the block, and the error says so.
        result.ends.push(index);
        fence = undefined;
      } else if (START_LINE.test(line) && result.fencedStart === undefined) {
        result.fencedStart = { line: index, fenceLine: fence.open };
      }
      return;
    }
    if (START_LINE.test(line)) result.starts.push(index);
    else if (END_LINE.test(line)) result.ends.push(index);
    else {
      const opening = fenceOpening(line);
      if (opening === undefined) return;
      fence = { ...opening, open: index, close: -1 };
      if (result.firstContent === index && result.starts.length === 1) result.metadataFence = fence;
    }
  });
  return result;
}

/** Finds the ```yaml block between the metadata markers; throws PlanError when it is missing or broken. */
export function extractMetadata(text: string, file: string): MetadataBlock {
  const lines = text.split('\n').map((line) => line.trim());
  function fail(line: number | undefined, message: string, hint: string): never {
    throw new PlanError({ location: { file, line }, message, hint });
  }

  const found = outline(lines);
  const start = found.starts[0];
  if (start === undefined) {
    const orphanEnd = found.ends[0];
    if (orphanEnd !== undefined) {
      fail(
        orphanEnd + 1,
        `\`${END_MARKER}\` without a \`${START_MARKER}\` before it`,
        `add \`${START_MARKER}\` on its own line before the \`\`\`yaml block`,
      );
    }
    const example = found.fencedStart;
    fail(
      undefined,
      'no metadata block',
      example === undefined
        ? `add a \`\`\`yaml block between \`${START_MARKER}\` and \`${END_MARKER}\` lines (docs/plan-format.md shows one)`
        : `the \`${START_MARKER}\` at line ${example.line + 1} is inside the code fence opened at line ${example.fenceLine + 1}, ` +
            'so it is an example: put the plan’s own block outside any code fence',
    );
  }
  const second = found.starts[1];
  if (second !== undefined) {
    fail(
      second + 1,
      `a second \`${START_MARKER}\` (the first is at line ${start + 1})`,
      'a plan has exactly one metadata block: merge the two',
    );
  }
  const end = found.ends.find((line) => line > start);
  if (end === undefined) {
    fail(
      start + 1,
      `\`${START_MARKER}\` is never closed`,
      `add \`${END_MARKER}\` on its own line after the \`\`\`yaml block`,
    );
  }

  const fenceLine =
    found.firstContent !== undefined && found.firstContent < end ? found.firstContent : undefined;
  const fence = found.metadataFence;
  if (fenceLine === undefined || fence === undefined) {
    fail(
      fenceLine === undefined ? start + 1 : fenceLine + 1,
      `the metadata block (lines ${start + 1}-${end + 1}) does not start with a \`\`\`yaml fence`,
      'put the YAML inside a ```yaml ... ``` fence between the markers',
    );
  }
  if (fence.language !== 'yaml' && fence.language !== 'yml') {
    fail(
      fence.open + 1,
      fence.language === ''
        ? 'the metadata fence has no language'
        : `the metadata fence is \`${fence.language}\`, not \`yaml\``,
      `open the block with \`\`\`yaml`,
    );
  }
  if (fence.close === -1 || fence.close > end) {
    fail(
      fence.open + 1,
      `the \`\`\`yaml fence is not closed before \`${END_MARKER}\` (line ${end + 1})`,
      `add a line with ${fence.marks} after the YAML`,
    );
  }

  // The original lines, not the trimmed ones, so YAML columns stay true; only a CR before the LF goes.
  const original = text.split('\n').map((line) => line.replace(/\r$/, ''));
  return { yaml: original.slice(fence.open + 1, fence.close).join('\n') + '\n', firstLine: fence.open + 2 };
}

/** The first `# ` heading outside code fences, without a leading `PLAN:`; else the file's name. */
export function extractTitle(text: string, file: string): string {
  let fence: Fence | undefined;
  for (const raw of text.split('\n')) {
    if (fence !== undefined) {
      if (closesFence(raw, fence)) fence = undefined;
      continue;
    }
    fence = fenceOpening(raw);
    if (fence !== undefined) continue;
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
