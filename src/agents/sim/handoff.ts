/**
 * Handoffs of the simulated agent. Flux's Stop (or PreCompact) answer names
 * the document to write; the sim writes a plausible one ending in a
 * `sim-resume-turn: N` line. Flux puts the handoff into the next session's
 * first prompt, where the marker tells the new sim which turn to play next.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkRecord } from './actions.js';
import type { SimScript, SimTurn } from './script.js';

export const RESUME_MARKER = 'sim-resume-turn';

/** The turn a prompt asks to resume at: the last marker in it, or 0. */
export function resumeTurn(prompt: string): number {
  const matches = [...prompt.matchAll(new RegExp(`^\\s*${RESUME_MARKER}:\\s*(\\d+)\\s*$`, 'gm'))];
  const last = matches.at(-1);
  return last === undefined ? 0 : Number(last[1]);
}

/** The handoff document a hook's reason asks for, relative to `.work/`, e.g. `handoffs/s1-handoff-001.md`. */
export function handoffTarget(reason: string): string | undefined {
  return /handoffs\/[A-Za-z0-9._-]+\.md/.exec(reason)?.[0];
}

export interface HandoffInput {
  stage: string;
  session: string;
  claudeSessionId: string;
  script: SimScript;
  /** Turns this session played: `[first, next)`. */
  first: number;
  next: number;
  percent: number | null;
  work: WorkRecord;
  cwd: string;
}

/** `file:line` where a remaining edit lands: line 1 of a new file, the line after the end for an append. */
function landingRef(cwd: string, file: string, append: boolean): string {
  if (!append) return `${file}:1`;
  let lines = 0;
  try {
    const text = readFileSync(path.resolve(cwd, file), 'utf8');
    lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  } catch {
    // Not written yet: the append creates it.
  }
  return `${file}:${lines + 1}`;
}

function remainingItems(turn: SimTurn, cwd: string): string[] {
  return turn.actions.flatMap((action) => {
    if ('write' in action) return [`write \`${landingRef(cwd, action.write.path, false)}\``];
    if ('append' in action) return [`extend \`${landingRef(cwd, action.append.path, true)}\``];
    if ('run' in action) return [`run \`${action.run}\``];
    if ('commit' in action) return [`commit "${action.commit}"`];
    if ('flux' in action) return [`run \`flux ${action.flux.join(' ')}\``];
    return [];
  });
}

export function renderHandoff(input: HandoffInput): string {
  const { script, first, next, work } = input;
  const total = script.turns.length;
  const done = script.turns
    .slice(first, next)
    .map((turn, i) => `- Turn ${first + i}: ${turn.say || '(no message)'}`);
  done.push(...work.commits.map((message) => `- Committed: ${message}`));
  done.push(...[...work.files].map((file) => `- Changed \`${file}:1\``));
  const remaining = script.turns
    .slice(next)
    .flatMap((turn, i) => [
      `- Turn ${next + i}: ${turn.say || '(no message)'}`,
      ...remainingItems(turn, input.cwd).map((item) => `  - ${item}`),
    ]);
  const percent = input.percent === null ? 'unknown' : `${input.percent}%`;
  return [
    `# Handoff: stage ${input.stage}`,
    '',
    '## Summary',
    '',
    `Session ${input.session} (simulated agent, Claude session ${input.claudeSessionId}) ` +
      `${next > first ? `played turns ${first} to ${next - 1}` : 'played no turn'} of a ${total}-turn script ` +
      `(turns are numbered from 0) and stopped at ${percent} context.`,
    '',
    '## Done',
    '',
    ...(done.length === 0 ? ['- Nothing yet.'] : done),
    '',
    '## Remaining',
    '',
    ...(remaining.length === 0 ? ['- Nothing in the script: check that `flux done` passed.'] : remaining),
    '',
    '## Decisions',
    '',
    '- Followed the script in order; no step was skipped or reordered.',
    `- The next session starts at turn ${next}, named by the marker below.`,
    '',
    `${RESUME_MARKER}: ${next}`,
    '',
  ].join('\n');
}
