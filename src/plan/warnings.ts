/**
 * What `flux plan check` warns about in a valid plan (pure: the repository's
 * files and a way to look up a program are given). None of it stops
 * `flux init`; each is worth a look before a run:
 * - stages that can run in parallel and may change the same files;
 * - a stage with no acceptance commands, or no files;
 * - a `files` glob that matches nothing and looks like a typo;
 * - an acceptance command whose program is not installed.
 */
import { overlappingFiles } from './dag.js';
import { globTypo, RepoTree } from './typo.js';
import type { Plan } from './types.js';

export type PlanWarningKind = 'overlap' | 'no-acceptance' | 'no-files' | 'glob-typo' | 'missing-program';

export interface PlanWarning {
  kind: PlanWarningKind;
  /** The stage (for an overlap, the first of the two). */
  stage: string;
  /** The other stage of an overlap. */
  other?: string;
  message: string;
  hint: string;
}

export interface RepoFacts {
  /** The repository's files (tracked, and untracked ones not ignored), relative, with `/`. */
  files: readonly string[];
  /** Whether a program (a name looked up on PATH, or an absolute path) is installed. */
  programFound(program: string): boolean;
}

/** Words a shell runs itself: never looked up on PATH. */
const SHELL_WORDS = new Set([
  '.',
  ':',
  '[',
  '[[',
  '!',
  '{',
  '(',
  'alias',
  'break',
  'case',
  'cd',
  'command',
  'continue',
  'echo',
  'eval',
  'exec',
  'exit',
  'export',
  'false',
  'for',
  'if',
  'let',
  'local',
  'printf',
  'pwd',
  'read',
  'return',
  'set',
  'shift',
  'source',
  'test',
  'time',
  'trap',
  'true',
  'type',
  'ulimit',
  'umask',
  'unset',
  'until',
  'wait',
  'while',
]);

/**
 * The program an acceptance command runs first: its first word after any
 * `NAME=value` assignments, unquoted; undefined for a shell word or builtin,
 * and for a path relative to the worktree (`./gradlew`, `scripts/check`),
 * which only the stage's worktree can tell.
 */
export function commandProgram(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  let word = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  if (word === undefined) return undefined;
  word = word.replace(/^["']|["']$/g, '').replace(/^[({]+/, '');
  if (word === '' || SHELL_WORDS.has(word) || /[$`]/.test(word)) return undefined;
  if (word.includes('/') && !word.startsWith('/')) return undefined;
  return word;
}

function overlapWarnings(plan: Plan): PlanWarning[] {
  return overlappingFiles(plan).map(({ stages: [a, b], globs }) => ({
    kind: 'overlap',
    stage: a,
    other: b,
    message: `${a} and ${b} can run in parallel and both may change ${globs.map(([x, y]) => (x === y ? x : `${x} ~ ${y}`)).join(', ')}: their merges may conflict`,
    hint: `make one depend on the other (dependencies: [${a}] in ${b}), or narrow their files so they do not meet`,
  }));
}

export function planWarnings(plan: Plan, repo: RepoFacts): PlanWarning[] {
  const tree = new RepoTree(repo.files);
  const warnings = overlapWarnings(plan);
  for (const stage of plan.stages) {
    if (stage.acceptance.length === 0)
      warnings.push({
        kind: 'no-acceptance',
        stage: stage.id,
        message: `stage '${stage.id}' has no acceptance commands: \`flux done\` accepts whatever it did`,
        hint: 'add a command that shows the stage works, e.g. its tests (`acceptance: ["npm test"]`)',
      });
    if (stage.files.length === 0)
      warnings.push({
        kind: 'no-files',
        stage: stage.id,
        message: `stage '${stage.id}' lists no files: overlaps with other stages go unseen, and \`flux verify\` cannot show changes outside it`,
        hint: 'list the globs it may change, e.g. `files: ["src/api/**"]`',
      });
    for (const pattern of stage.files) {
      const meant = globTypo(pattern, tree);
      if (meant !== undefined)
        warnings.push({
          kind: 'glob-typo',
          stage: stage.id,
          message: `stage '${stage.id}': files pattern \`${pattern}\` matches nothing in the repository (did you mean \`${meant}\`?)`,
          hint: `write \`${meant}\` if that is what the stage changes; a folder the stage creates is fine as it is`,
        });
    }
    const reported = new Set<string>();
    for (const command of stage.acceptance) {
      const program = commandProgram(command);
      if (program === undefined || reported.has(program) || repo.programFound(program)) continue;
      reported.add(program);
      warnings.push({
        kind: 'missing-program',
        stage: stage.id,
        message: `stage '${stage.id}': acceptance command \`${command}\` runs \`${program}\`, which is not installed (or not on PATH)`,
        hint: `install ${program}, or the command fails in \`flux done\` (exit 127)`,
      });
    }
  }
  return warnings;
}
