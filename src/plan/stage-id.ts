/**
 * Stage ids become git branch names (`flux/<id>`), worktree folders
 * (`.worktrees/<id>`) and tmux session names (`flux-<id>`), so they are
 * limited to what all three accept without quoting. The session-name rule
 * lives here too, so the plan check and the scheduler cannot disagree.
 */
import { STAGE_ID_MAX_LENGTH, STAGE_ID_PATTERN } from '../ids.js';

const ALLOWED = /^[a-z0-9._-]$/;

/**
 * A tmux session name for any string: characters tmux would rewrite (`.`,
 * `:`) or read specially in a target (`=`, `%`, `$`, `@`, ...) become `_`.
 * It maps character by character, and a stage id never starts with `-`, so
 * a session prefix never changes which stage ids end up with the same name:
 * two stages share a session exactly when their ids map to the same name.
 */
export function toSessionName(name: string): string {
  const mapped = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z0-9_]/.test(mapped) ? mapped : `_${mapped}`;
}

/** Why `id` is unusable as a stage id, or undefined when it is fine. Completes "the id ...". */
export function stageIdProblem(id: string): string | undefined {
  if (id === '') return 'is empty';
  const bad = [...new Set([...id].filter((ch) => !ALLOWED.test(ch)))];
  if (bad.some((ch) => /[A-Z]/.test(ch))) return 'has uppercase letters';
  if (bad.length > 0) return `contains ${bad.map((ch) => (ch === ' ' ? 'a space' : `\`${ch}\``)).join(', ')}`;
  if (id.startsWith('-') || id.startsWith('.')) return `starts with \`${id[0]}\``;
  if (id.includes('..')) return 'contains `..`';
  if (id.endsWith('.lock')) return 'ends with `.lock`';
  if (id.endsWith('.')) return 'ends with `.`';
  if (id.length > STAGE_ID_MAX_LENGTH) {
    return `is ${id.length} characters long (at most ${STAGE_ID_MAX_LENGTH})`;
  }
  // The shared pattern is the contract with the event log; the checks above only explain it.
  if (!STAGE_ID_PATTERN.test(id)) return 'is not a valid id';
  return undefined;
}

/** A safe id close to `id`, or undefined when nothing sensible remains. */
export function suggestStageId(id: string): string | undefined {
  let candidate = id
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+/, '');
  candidate = candidate.slice(0, STAGE_ID_MAX_LENGTH);
  for (let previous = ''; previous !== candidate;) {
    previous = candidate;
    candidate = candidate.replace(/\.lock$/, '').replace(/[.-]+$/, '');
  }
  return candidate !== '' && stageIdProblem(candidate) === undefined ? candidate : undefined;
}

export const STAGE_ID_RULES =
  'ids name git branches, worktree folders and tmux sessions: use lowercase letters, digits, `-`, `_` and `.`' +
  `, at most ${STAGE_ID_MAX_LENGTH} characters, not starting with \`-\` or \`.\`, without \`..\`` +
  ', not ending with `.` or `.lock`';
