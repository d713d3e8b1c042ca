/**
 * Turns the schema's issues into one PlanError that names the file, the
 * line:column, the stage and the field, and says what to do. When there are
 * several issues, the one a person should fix first wins (see `pickIssue`).
 */
import type { z } from 'zod';
import { PlanError } from '../errors.js';
import type { YamlLocator, YamlPath } from './locate.js';
import { BUDGET_EXPECTATIONS, BUDGET_FIELDS, FIELD_EXPECTATIONS, FLUX_KEYS, STAGE_FIELDS } from './schema.js';
import { suggestField } from './suggest.js';

type Issue = z.core.$ZodIssue;

const STAGE_EXAMPLE = '`- id: stage-1-models` followed by `name: "Data Models"`';

function pathOf(issue: Issue): (string | number)[] {
  return issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** "a list", "a number", ...: what the plan actually holds, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return `\`${value}\` (a boolean)`;
  if (typeof value === 'number') return `\`${value}\` (a number)`;
  return `\`${String(value)}\` (a string)`;
}

/** The stage as messages name it: its id, or `#n` (1-based) when it has no usable id. */
export function stageLabel(data: unknown, index: number): string {
  const id = valueAt(data, ['flux', 'stages', index, 'id']);
  return typeof id === 'string' && id.trim() !== '' ? id : `#${index + 1}`;
}

/** In a stage, an unknown field often explains the rest (`nmae` → missing `name`), so it goes first. */
function stageFieldRank(issue: Issue, field: string | number | undefined): number {
  if (issue.code === 'unrecognized_keys' || field === undefined) return 0;
  if (field === 'id') return 1;
  if (field === 'name') return 2;
  return 3;
}

/** Lower sorts first: structure before version before stages, stages in document order. */
function issueRank(issue: Issue): [number, number] {
  const path = pathOf(issue);
  if (path[0] === 'flux' && path[1] === 'stages' && typeof path[2] === 'number') {
    return [path[2], stageFieldRank(issue, path[3])];
  }
  if (path.length === 0) return [-1, 0];
  if (path.length === 1) return [-1, issue.code === 'unrecognized_keys' ? 2 : 1];
  return [-1, path[1] === 'version' ? 3 : 4];
}

export function pickIssue(issues: readonly Issue[]): Issue {
  const ranked = issues.map((issue, order) => ({ issue, order, rank: issueRank(issue) }));
  ranked.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.order - b.order);
  return (ranked[0] as (typeof ranked)[number]).issue;
}

/** `a`, `a` and `b`, `a`, `b` and `c`: keys as a sentence lists them. */
function listOf(keys: readonly string[]): string {
  const quoted = keys.map((key) => `\`${key}\``);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

function unknownKey(issue: Issue & { code: 'unrecognized_keys' }, data: unknown, at: YamlLocator): PlanError {
  const path = pathOf(issue);
  const key = issue.keys[0] as string;
  const location = at.key([...path, key]);
  if (path.length === 0) {
    return new PlanError({
      location,
      message: `unknown top-level key \`${key}\``,
      hint: 'the metadata YAML has one top-level key, `flux:`, holding `version` and `stages`',
    });
  }
  if (path.length === 1) {
    const suggestion = suggestField(key, FLUX_KEYS);
    return new PlanError({
      location,
      message: `unknown key \`${key}\` under \`flux\`${suggestion === undefined ? '' : ` (did you mean \`${suggestion}\`?)`}`,
      hint: `\`flux:\` takes ${listOf(FLUX_KEYS)}; stage fields go inside an entry of \`stages\``,
    });
  }
  const suggestion = suggestField(key, STAGE_FIELDS);
  return new PlanError({
    location,
    stage: stageLabel(data, path[2] as number),
    field: key,
    message: `unknown field${suggestion === undefined ? '' : ` (did you mean \`${suggestion}\`?)`}`,
    hint:
      (suggestion === undefined ? 'remove it' : `rename it to \`${suggestion}\``) +
      `; a stage takes: ${STAGE_FIELDS.join(', ')}`,
  });
}

function rootIssue(data: unknown, at: YamlLocator): PlanError {
  const isMapping = data !== null && typeof data === 'object' && !Array.isArray(data);
  const flux = valueAt(data, ['flux']);
  if (isMapping && flux !== undefined) {
    return new PlanError({
      location: at.value(['flux']),
      message: `\`flux\` must be a mapping, not ${describeValue(flux)}`,
      hint: 'put `version: 1` and `stages:` under `flux:`, indented',
    });
  }
  const keys = isMapping ? Object.keys(data) : [];
  const misspelt = keys.find((key) => suggestField(key, ['flux']) !== undefined);
  const found = keys.length === 0 ? '' : ` (found ${keys.map((key) => `\`${key}\``).join(', ')})`;
  return new PlanError({
    location: misspelt === undefined ? at.value([]) : at.key([misspelt]),
    message: `the metadata YAML has no \`flux:\` key${found}`,
    hint:
      misspelt === undefined
        ? 'start the YAML with `flux:` and put `version: 1` and `stages:` under it, indented'
        : `rename \`${misspelt}\` to \`flux\``,
  });
}

function versionIssue(data: unknown, at: YamlLocator): PlanError {
  const version = valueAt(data, ['flux', 'version']);
  if (version === undefined) {
    return new PlanError({
      location: at.key(['flux']),
      field: 'version',
      message: 'missing: the plan must say which format version it uses',
      hint: 'add `version: 1` under `flux:`',
    });
  }
  return new PlanError({
    location: at.value(['flux', 'version']),
    field: 'version',
    message: `${describeValue(version)} is not a supported version`,
    hint: 'the only plan format version is 1: write `version: 1`',
  });
}

/** `flux: setup` is not a list of strings. */
function planSetupIssue(path: YamlPath, data: unknown, at: YamlLocator): PlanError {
  if (path.length > 2) {
    const element = valueAt(data, path.slice(0, 3));
    return new PlanError({
      location: at.value(path.slice(0, 3)),
      field: 'setup',
      message: `entry ${(path[2] as number) + 1} must be a string, not ${describeValue(element)}`,
      hint:
        element !== null && typeof element === 'object' && !Array.isArray(element)
          ? 'quote the entry: an unquoted `: ` starts a YAML mapping'
          : 'quote the entry',
    });
  }
  const value = valueAt(data, ['flux', 'setup']);
  return new PlanError({
    location: at.value(['flux', 'setup']),
    field: 'setup',
    message: `must be a list of shell commands, not ${describeValue(value)}`,
    hint: fieldHint('setup', value),
  });
}

function stagesIssue(issue: Issue, data: unknown, at: YamlLocator): PlanError {
  const stages = valueAt(data, ['flux', 'stages']);
  const hint = `add at least one stage under \`stages:\`: ${STAGE_EXAMPLE}`;
  if (stages === undefined) {
    return new PlanError({
      location: at.key(['flux']),
      field: 'stages',
      message: 'missing: the plan has no stages',
      hint,
    });
  }
  if (issue.code === 'too_small' || stages === null) {
    return new PlanError({
      location: at.value(['flux', 'stages']),
      field: 'stages',
      message: 'empty: the plan has no stages',
      hint,
    });
  }
  return new PlanError({
    location: at.value(['flux', 'stages']),
    field: 'stages',
    message: `must be a list of stages, not ${describeValue(stages)}`,
    hint: `write each stage as a list entry: ${STAGE_EXAMPLE}`,
  });
}

function fieldHint(field: string, value: unknown): string {
  const list = FIELD_EXPECTATIONS[field]?.startsWith('a list') ?? false;
  if (value === null) {
    if (list) return `write \`${field}: []\` or remove the line`;
    return field === 'id' || field === 'name' ? `give it a value` : 'give it a value or remove the line';
  }
  if (field === 'estimate') return 'write the minutes as a number greater than 0, e.g. `estimate: 30`';
  if (field === 'gate')
    return '`human` (the default) waits for `flux verify`; `auto` verifies once acceptance passes';
  if (list) {
    return typeof value === 'string'
      ? `write \`${field}: [${value}]\`, or one \`- ...\` entry per line`
      : `write \`${field}: [...]\`, or one \`- ...\` entry per line`;
  }
  return `quote the value: \`${field}: "..."\``;
}

function stageFieldIssue(issue: Issue, data: unknown, at: YamlLocator): PlanError {
  const path = pathOf(issue);
  const index = path[2] as number;
  const stage = stageLabel(data, index);
  const field = path[3] as string;
  const value = valueAt(data, path.slice(0, 4));

  if (value === undefined) {
    return new PlanError({
      location: at.value(path.slice(0, 3)),
      stage,
      field,
      message: `missing: every stage needs \`${field}\``,
      hint:
        field === 'id'
          ? 'add `id: <lowercase-id>`, e.g. `id: stage-1-models`'
          : 'add `name: "Human readable name"`',
    });
  }
  if (path.length > 4) {
    const entry = path[4] as number;
    const element = valueAt(data, path.slice(0, 5));
    return new PlanError({
      location: at.value(path.slice(0, 5)),
      stage,
      field,
      message: `entry ${entry + 1} must be a string, not ${describeValue(element)}`,
      hint:
        element !== null && typeof element === 'object' && !Array.isArray(element)
          ? 'quote the entry: an unquoted `: ` starts a YAML mapping'
          : 'quote the entry',
    });
  }
  return new PlanError({
    location: at.value(path.slice(0, 4)),
    stage,
    field,
    message: `must be ${FIELD_EXPECTATIONS[field] ?? 'something else'}, not ${describeValue(value)}`,
    hint: fieldHint(field, value),
  });
}

const BUDGET_EXAMPLE = '`budget: {usd: 5, minutes: 90, tokens: 2000000}` (any of the three)';

/** Where a budget sits in the path: after `flux` (the plan's) or in a stage; -1 when the issue is not in one. */
function budgetIndex(path: readonly (string | number)[]): number {
  if (path[0] !== 'flux') return -1;
  if (path[1] === 'budget') return 1;
  if (path[1] === 'stages' && typeof path[2] === 'number' && path[3] === 'budget') return 3;
  return -1;
}

/** A `budget` (the plan's, or a stage's) that is not a mapping of positive numbers. */
function budgetIssue(issue: Issue, data: unknown, at: YamlLocator, index: number): PlanError {
  const path = pathOf(issue);
  const stage = index === 3 ? stageLabel(data, path[2] as number) : undefined;
  const budgetPath = path.slice(0, index + 1);
  const owner = stage === undefined ? 'the plan' : 'a stage';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string;
    const suggestion = suggestField(key, BUDGET_FIELDS);
    return new PlanError({
      location: at.key([...path, key]),
      stage,
      field: `budget.${key}`,
      message: `unknown budget field${suggestion === undefined ? '' : ` (did you mean \`${suggestion}\`?)`}`,
      hint: `a budget takes ${BUDGET_FIELDS.map((f) => `\`${f}\``).join(', ')}, e.g. ${BUDGET_EXAMPLE}`,
    });
  }
  const field = path[index + 1];
  if (typeof field === 'string' && BUDGET_EXPECTATIONS[field] !== undefined) {
    const value = valueAt(data, [...budgetPath, field]);
    return new PlanError({
      location: at.value([...budgetPath, field]),
      stage,
      field: `budget.${field}`,
      message: `must be ${BUDGET_EXPECTATIONS[field]}, not ${describeValue(value)}`,
      hint: `write it without quotes or a unit, e.g. ${BUDGET_EXAMPLE}; leave it out for no limit`,
    });
  }
  return new PlanError({
    location: at.value(budgetPath),
    stage,
    field: 'budget',
    message: `${owner}'s budget must be ${FIELD_EXPECTATIONS.budget}, not ${describeValue(valueAt(data, budgetPath))}`,
    hint: `write it as ${BUDGET_EXAMPLE}, or remove the line`,
  });
}

/** The PlanError for one schema issue on the YAML `data`. */
export function issueToPlanError(issue: Issue, data: unknown, at: YamlLocator): PlanError {
  const path = pathOf(issue);
  const inBudget = budgetIndex(path);
  if (inBudget !== -1) return budgetIssue(issue, data, at, inBudget);
  // Without `flux`, the other top-level keys are better explained as its missing content.
  if (path.length === 0 && valueAt(data, ['flux']) === undefined) return rootIssue(data, at);
  if (issue.code === 'unrecognized_keys') return unknownKey(issue, data, at);
  if (path.length <= 1) return rootIssue(data, at);
  if (path[1] === 'version') return versionIssue(data, at);
  if (path[1] === 'setup') return planSetupIssue(path, data, at);
  if (path.length === 2) return stagesIssue(issue, data, at);
  if (path.length === 3) {
    return new PlanError({
      location: at.value(path),
      stage: `#${(path[2] as number) + 1}`,
      message: `a stage must be a mapping of fields, not ${describeValue(valueAt(data, path))}`,
      hint: `write each stage as ${STAGE_EXAMPLE}`,
    });
  }
  return stageFieldIssue(issue, data, at);
}
