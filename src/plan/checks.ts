/**
 * Rules that need more than the schema: safe and unique ids (also as tmux
 * session names), dependencies that exist and form no cycle, non-empty
 * commands, well-formed globs. Each check throws the first PlanError it
 * finds, in document order.
 */
import { PlanError } from '../errors.js';
import type { StageDef } from './types.js';
import { findCycle } from './dag.js';
import { globProblem } from './glob-check.js';
import type { YamlLocator } from './locate.js';
import { STAGE_ID_RULES, stageIdProblem, suggestStageId, toSessionName } from './stage-id.js';
import { closest } from './suggest.js';

const stagePath = (index: number, ...rest: (string | number)[]) => ['flux', 'stages', index, ...rest];

/** The session names the scheduler gives with the default `tmux.session_prefix`, for messages. */
const DEFAULT_SESSION_PREFIX = 'flux-';

function checkIds(stages: readonly StageDef[], at: YamlLocator): void {
  const firstLine = new Map<string, number | undefined>();
  // Stages whose ids differ only where tmux rewrites would share one session: ending one would end both.
  const bySession = new Map<string, string>();
  stages.forEach((stage, index) => {
    const location = at.value(stagePath(index, 'id'));
    const problem = stageIdProblem(stage.id);
    if (problem !== undefined) {
      const suggestion = suggestStageId(stage.id);
      throw new PlanError({
        location,
        stage: stage.id === '' ? `#${index + 1}` : stage.id,
        field: 'id',
        message: `not a usable id: it ${problem}`,
        hint: STAGE_ID_RULES + (suggestion === undefined ? '' : `; for example \`${suggestion}\``),
      });
    }
    if (firstLine.has(stage.id)) {
      throw new PlanError({
        location,
        stage: stage.id,
        field: 'id',
        message: `duplicate id: line ${firstLine.get(stage.id)} already uses it`,
        hint: 'give every stage its own id',
      });
    }
    const session = toSessionName(stage.id);
    const other = bySession.get(session);
    if (other !== undefined) {
      throw new PlanError({
        location,
        stage: stage.id,
        field: 'id',
        message: `same tmux session name as \`${other}\` (line ${firstLine.get(other)}): both become \`${DEFAULT_SESSION_PREFIX}${session}\``,
        hint: 'tmux writes `.` as `_` in session names, so the two stages would share one session: rename one of the two (e.g. with `-`)',
      });
    }
    firstLine.set(stage.id, location.line);
    bySession.set(session, stage.id);
  });
}

function checkName(stage: StageDef, index: number, at: YamlLocator): void {
  if (stage.name.trim() !== '') return;
  throw new PlanError({
    location: at.value(stagePath(index, 'name')),
    stage: stage.id,
    field: 'name',
    message: 'empty',
    hint: 'give the stage a human-readable name, e.g. `name: "Data Models"`',
  });
}

function dependencyProblem(
  stage: StageDef,
  dependency: string,
  ids: readonly string[],
  seen: ReadonlySet<string>,
): { message: string; hint: string } | undefined {
  if (dependency === stage.id) {
    return { message: 'the stage depends on itself', hint: `remove \`${dependency}\` from its dependencies` };
  }
  if (!ids.includes(dependency)) {
    const others = ids.filter((id) => id !== stage.id);
    const suggestion = closest(dependency, others);
    return {
      message: `unknown stage \`${dependency}\`${suggestion === undefined ? '' : ` (did you mean \`${suggestion}\`?)`}`,
      hint: `a dependency must be the id of another stage in this plan: ${others.join(', ') || '(there is none)'}`,
    };
  }
  if (seen.has(dependency)) {
    return { message: `\`${dependency}\` is listed twice`, hint: 'remove the repeated entry' };
  }
  return undefined;
}

function checkDependencies(stage: StageDef, index: number, ids: readonly string[], at: YamlLocator): void {
  const seen = new Set<string>();
  stage.dependencies.forEach((dependency, entry) => {
    const problem = dependencyProblem(stage, dependency, ids, seen);
    if (problem !== undefined) {
      throw new PlanError({
        location: at.value(stagePath(index, 'dependencies', entry)),
        stage: stage.id,
        field: 'dependencies',
        ...problem,
      });
    }
    seen.add(dependency);
  });
}

/** No command of a list (`acceptance`, `setup`) may be empty or only spaces. */
function checkCommands(
  commands: readonly string[],
  path: (string | number)[],
  at: YamlLocator,
  stage?: string,
): void {
  commands.forEach((command, entry) => {
    if (command.trim() !== '') return;
    throw new PlanError({
      location: at.value([...path, entry]),
      stage,
      field: path.at(-1) as string,
      message: `command ${entry + 1} is empty`,
      hint: 'write the shell command to run, or remove the entry',
    });
  });
}

function checkAcceptance(stage: StageDef, index: number, at: YamlLocator): void {
  checkCommands(stage.acceptance, stagePath(index, 'acceptance'), at, stage.id);
  checkCommands(stage.setup ?? [], stagePath(index, 'setup'), at, stage.id);
}

/** The plan-level `setup` commands (`flux: setup`). */
export function checkPlanSetup(setup: readonly string[], at: YamlLocator): void {
  checkCommands(setup, ['flux', 'setup'], at);
}

/** The plan-level checks (`flux: acceptance`, the merge queue's). */
export function checkPlanAcceptance(acceptance: readonly string[], at: YamlLocator): void {
  checkCommands(acceptance, ['flux', 'acceptance'], at);
}

function checkFiles(stage: StageDef, index: number, at: YamlLocator): void {
  stage.files.forEach((pattern, entry) => {
    const problem = globProblem(pattern);
    if (problem === undefined) return;
    throw new PlanError({
      location: at.value(stagePath(index, 'files', entry)),
      stage: stage.id,
      field: 'files',
      message: `pattern ${entry + 1} \`${pattern}\` ${problem.reason}`,
      hint: problem.hint,
    });
  });
}

function checkAcyclic(stages: readonly StageDef[], at: YamlLocator): void {
  const cycle = findCycle(stages);
  if (cycle === null) return;
  const [first, second] = cycle as [string, string];
  const index = stages.findIndex((stage) => stage.id === first);
  const entry = (stages[index] as StageDef).dependencies.indexOf(second);
  throw new PlanError({
    location: at.value(stagePath(index, 'dependencies', entry)),
    stage: first,
    field: 'dependencies',
    message: `dependency cycle: ${cycle.join(' → ')}`,
    hint: '`a → b` means a depends on b; remove one of these dependencies so the stages can run in some order',
  });
}

/** Throws a PlanError for the first rule a stage breaks. */
export function checkStages(stages: readonly StageDef[], at: YamlLocator): void {
  checkIds(stages, at);
  const ids = stages.map((stage) => stage.id);
  stages.forEach((stage, index) => {
    checkName(stage, index, at);
    checkDependencies(stage, index, ids, at);
    checkAcceptance(stage, index, at);
    checkFiles(stage, index, at);
  });
  checkAcyclic(stages, at);
}
