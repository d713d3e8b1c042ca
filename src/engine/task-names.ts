/**
 * Naming an ad hoc task (pure): its id from the description, its worktree,
 * branch and tmux session from the `[task]` settings, and the task as a stage.
 */
import { ConfigError, UsageError } from '../errors.js';
import { STAGE_ID_MAX_LENGTH, STAGE_ID_PATTERN } from '../ids.js';
import type { StageDef } from '../plan/types.js';

// ---- ids ---------------------------------------------------------------------

/** Words that say little about a task: left out of its id. */
const FILLER = new Set(
  (
    'a an the to for of and or in on at by with into from onto this that these those my our your its ' +
    'please add adds adding implement implementing create make build write new support some more'
  ).split(' '),
);

/** The longest slug; longer descriptions keep their first words. */
export const SLUG_MAX = 16;

/**
 * A short slug of a task's description: its first telling words, lower case,
 * joined by `-`, at most SLUG_MAX characters ("Add OAuth authentication" →
 * "oauth"); "task" when nothing is left.
 */
export function taskSlug(description: string): string {
  const words = description
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  const telling = words.filter((word) => !FILLER.has(word));
  const pool = telling.length > 0 ? telling : words;
  let slug = '';
  for (const word of pool) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > SLUG_MAX) break;
    slug = next;
  }
  if (slug === '' && pool.length > 0) slug = pool[0]!.slice(0, SLUG_MAX);
  return slug === '' ? 'task' : slug;
}

/** `<slug>-<6 hex digits>`, e.g. `oauth-a1b2c3`; `hex` is the random part. */
export function taskId(description: string, hex: string): string {
  return `${taskSlug(description)}-${hex}`;
}

/** Throws unless `id` can name a task (it ends up in branch names, paths and tmux names). */
export function checkTaskId(id: string): void {
  if (id.length > STAGE_ID_MAX_LENGTH || !STAGE_ID_PATTERN.test(id) || id.includes('..')) {
    throw new UsageError(
      `'${id}' cannot be a task id`,
      `use lower-case letters, digits, '-', '_' and '.', at most ${STAGE_ID_MAX_LENGTH} characters`,
    );
  }
}

// ---- names from the [task] settings ------------------------------------------

/** `{project}` and `{id}` replaced; any other `{…}` is a mistake in the settings. */
export function expandTemplate(
  template: string,
  values: { project: string; id: string },
  setting: string,
): string {
  const unknown = /\{(?!project\}|id\})[^}]*\}/.exec(template);
  if (unknown !== null) {
    throw new ConfigError(
      `task.${setting} in .work/config.toml: unknown placeholder ${unknown[0]}`,
      'the placeholders are {project} (the repository folder name) and {id} (the task id)',
    );
  }
  return template.replaceAll('{project}', values.project).replaceAll('{id}', values.id);
}

/** A tmux session name from any text: characters tmux would rewrite or misread become `-`. */
export function tmuxSessionName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z0-9_]/.test(name) ? name : `_${name}`;
}

/** The task as a stage: no dependencies, no file globs, reviewed by a person. */
export function taskDef(
  id: string,
  description: string,
  acceptance: readonly string[],
  setup: readonly string[] = [],
): StageDef {
  const line = description.trim().split('\n')[0]!.trim();
  return {
    id,
    name: line.length > 72 ? `${line.slice(0, 71)}…` : line,
    description: description.trim(),
    dependencies: [],
    acceptance: [...acceptance],
    files: [],
    gate: 'human',
    ...(setup.length === 0 ? {} : { setup: [...setup] }),
  };
}
