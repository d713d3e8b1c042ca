/**
 * The corpus of malformed plans in test/fixtures/plans/malformed: each file
 * has exactly one mistake, and must give exactly the message below.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ExitCode, PlanError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/load.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(repoRoot, 'test', 'fixtures', 'plans', 'malformed');

interface Expected {
  /** `line:column` or `line`; absent when the error is about the whole file. */
  at?: string;
  stage?: string;
  field?: string;
  /** The message after the location. */
  says: string;
  /** A part of the hint. */
  hint: string;
}

const ID_RULES = 'use lowercase letters, digits, `-`, `_` and `.`, at most 64 characters';

const cases: Record<string, Expected> = {
  // ---- the markdown around the YAML
  'no-metadata': {
    says: 'no metadata block',
    hint: 'add a ```yaml block between `<!-- FLUX METADATA -->` and `<!-- END FLUX METADATA -->` lines',
  },
  'end-without-start': {
    at: '8',
    says: '`<!-- END FLUX METADATA -->` without a `<!-- FLUX METADATA -->` before it',
    hint: 'add `<!-- FLUX METADATA -->` on its own line',
  },
  'unterminated-block': {
    at: '3',
    says: '`<!-- FLUX METADATA -->` is never closed',
    hint: 'add `<!-- END FLUX METADATA -->` on its own line after the ```yaml block',
  },
  'no-yaml-fence': {
    at: '5',
    says: 'the metadata block (lines 3-8) does not start with a ```yaml fence',
    hint: 'put the YAML inside a ```yaml ... ``` fence',
  },
  'fence-not-yaml': {
    at: '5',
    says: 'the metadata fence is `json`, not `yaml`',
    hint: 'open the block with ```yaml',
  },
  'unclosed-fence': {
    at: '5',
    says: 'the ```yaml fence is not closed before `<!-- END FLUX METADATA -->` (line 12)',
    hint: 'add a line with ``` after the YAML',
  },
  'second-block': {
    at: '17',
    says: 'a second `<!-- FLUX METADATA -->` (the first is at line 5)',
    hint: 'exactly one metadata block',
  },
  'only-fenced-block': {
    says: 'no metadata block',
    hint: 'the `<!-- FLUX METADATA -->` at line 6 is inside the code fence opened at line 5, so it is an example',
  },

  // ---- encoding and characters
  'not-utf8': {
    at: '12:16',
    says: 'byte 0xE9 is not valid UTF-8',
    hint: 'save the plan as UTF-8',
  },
  'utf16le-bom': {
    says: 'the plan is UTF-16 (little-endian), not UTF-8',
    hint: 'save the plan as UTF-8',
  },
  'utf16be-no-bom': {
    says: 'the plan is UTF-16 (big-endian), not UTF-8',
    hint: 'save the plan as UTF-8',
  },
  'control-nul': {
    at: '12:16',
    says: 'the control character U+0000 (NUL) is not allowed in a plan',
    hint: 'remove it',
  },
  'control-escape': {
    at: '13:21',
    says: 'the control character U+001B (ESC) is not allowed in a plan',
    hint: 'remove it',
  },
  'control-in-prose': {
    at: '3:16',
    says: 'the control character U+0007 (BEL) is not allowed in a plan',
    hint: 'remove it',
  },

  // ---- YAML syntax
  'yaml-syntax': {
    at: '12:13',
    stage: 'stage-1',
    says: 'YAML syntax error: this " quote is never closed',
    hint: 'close it with " at the end of the value',
  },
  'yaml-bad-indent': {
    at: '13:1',
    stage: 'stage-1',
    says: 'YAML syntax error: Sequence item without - indicator',
    hint: 'check the indentation',
  },
  'duplicate-key': {
    at: '13:7',
    stage: 'stage-1',
    field: 'name',
    says: 'YAML error: this key appears twice in the same mapping',
    hint: 'keep one of the two',
  },
  'multiple-documents': {
    at: '13:1',
    says: 'YAML error: the block holds more than one YAML document',
    hint: 'remove the `---` line',
  },
  'yaml-too-deep': {
    at: '13:80',
    says: 'YAML error: the metadata nests more than 64 levels deep here',
    hint: 'remove the extra nesting',
  },

  // ---- `flux`, version, stages
  'empty-metadata': {
    at: '8',
    says: 'the metadata YAML has no `flux:` key',
    hint: 'start the YAML with `flux:`',
  },
  'no-flux-key': {
    at: '8:1',
    says: 'the metadata YAML has no `flux:` key (found `version`, `stages`)',
    hint: 'start the YAML with `flux:` and put `version: 1` and `stages:` under it',
  },
  'misspelt-flux-key': {
    at: '8:1',
    says: 'the metadata YAML has no `flux:` key (found `fluxx`)',
    hint: 'rename `fluxx` to `flux`',
  },
  'unknown-top-level-key': {
    at: '13:1',
    says: 'unknown top-level key `settings`',
    hint: 'one top-level key, `flux:`',
  },
  'unknown-flux-key': {
    at: '10:3',
    says: 'unknown key `stage` under `flux` (did you mean `stages`?)',
    hint: '`flux:` takes `version`, `setup`, `stages`, `budget` and `acceptance`',
  },
  'wrong-version': {
    at: '9:12',
    field: 'version',
    says: '`2` (a number) is not a supported version',
    hint: 'the only plan format version is 1: write `version: 1`',
  },
  'missing-version': {
    at: '8:1',
    field: 'version',
    says: 'missing: the plan must say which format version it uses',
    hint: 'add `version: 1` under `flux:`',
  },
  'no-stages': {
    at: '8:1',
    field: 'stages',
    says: 'missing: the plan has no stages',
    hint: 'add at least one stage',
  },
  'empty-stages': {
    at: '10:11',
    field: 'stages',
    says: 'empty: the plan has no stages',
    hint: 'add at least one stage',
  },
  'stage-not-mapping': {
    at: '13:7',
    stage: '#2',
    says: 'a stage must be a mapping of fields, not `stage-2` (a string)',
    hint: 'write each stage as `- id: stage-1-models`',
  },

  // ---- stage fields
  'unknown-field': {
    at: '15:7',
    stage: 'stage-2',
    field: 'dependancies',
    says: 'unknown field (did you mean `dependencies`?)',
    hint: 'rename it to `dependencies`; a stage takes: id, name, description, dependencies',
  },
  'unknown-field-alias': {
    at: '15:7',
    stage: 'stage-2',
    field: 'depends_on',
    says: 'unknown field (did you mean `dependencies`?)',
    hint: 'rename it to `dependencies`',
  },
  'missing-id': {
    at: '13:7',
    stage: '#2',
    field: 'id',
    says: 'missing: every stage needs `id`',
    hint: 'add `id: <lowercase-id>`',
  },
  'missing-name': {
    at: '13:7',
    stage: 'stage-2',
    field: 'name',
    says: 'missing: every stage needs `name`',
    hint: 'add `name: "Human readable name"`',
  },
  'empty-name': {
    at: '12:13',
    stage: 'stage-1',
    field: 'name',
    says: 'empty',
    hint: 'give the stage a human-readable name',
  },
  'wrong-type-dependencies': {
    at: '15:21',
    stage: 'stage-2',
    field: 'dependencies',
    says: 'must be a list of stage ids, not `stage-1` (a string)',
    hint: 'write `dependencies: [stage-1]`',
  },
  'wrong-type-id': {
    at: '11:11',
    stage: '#1',
    field: 'id',
    says: 'must be a string, not `1` (a number)',
    hint: 'quote the value',
  },
  'wrong-type-entry': {
    at: '15:11',
    stage: 'stage-1',
    field: 'acceptance',
    says: 'entry 2 must be a string, not a mapping',
    hint: 'an unquoted `: ` starts a YAML mapping',
  },
  'empty-field': {
    at: '13:13',
    stage: 'stage-1',
    field: 'files',
    says: 'must be a list of glob patterns, not empty',
    hint: 'write `files: []` or remove the line',
  },
  'invalid-gate': {
    at: '13:13',
    stage: 'stage-1',
    field: 'gate',
    says: 'must be `human` or `auto`, not `manual` (a string)',
    hint: '`human` (the default) waits for `flux verify`',
  },

  // ---- ids
  'duplicate-id': {
    at: '15:11',
    stage: 'stage-1',
    field: 'id',
    says: 'duplicate id: line 11 already uses it',
    hint: 'give every stage its own id',
  },
  'unsafe-id-uppercase': {
    at: '11:11',
    stage: 'Stage-1',
    field: 'id',
    says: 'not a usable id: it has uppercase letters',
    hint: `${ID_RULES}, not starting with \`-\` or \`.\`, without \`..\`, not ending with \`.\` or \`.lock\`; for example \`stage-1\``,
  },
  'unsafe-id-space': {
    at: '11:11',
    stage: 'stage 1/models',
    field: 'id',
    says: 'not a usable id: it contains a space, `/`',
    hint: 'for example `stage-1-models`',
  },
  'unsafe-id-leading-dash': {
    at: '11:11',
    stage: '-stage-1',
    field: 'id',
    says: 'not a usable id: it starts with `-`',
    hint: ID_RULES,
  },
  'unsafe-id-dot-dot': {
    at: '11:11',
    stage: 'stage..1',
    field: 'id',
    says: 'not a usable id: it contains `..`',
    hint: 'for example `stage.1`',
  },
  'unsafe-id-lock': {
    at: '11:11',
    stage: 'stage-1.lock',
    field: 'id',
    says: 'not a usable id: it ends with `.lock`',
    hint: 'for example `stage-1`',
  },
  'unsafe-id-trailing-dot': {
    at: '11:11',
    stage: 'stage-1.',
    field: 'id',
    says: 'not a usable id: it ends with `.`',
    hint: 'for example `stage-1`',
  },
  'unsafe-id-too-long': {
    at: '11:11',
    stage: `stage-${'x'.repeat(60)}`,
    field: 'id',
    says: 'not a usable id: it is 66 characters long (at most 64)',
    hint: `for example \`stage-${'x'.repeat(58)}\``,
  },
  'unsafe-id-empty': {
    at: '11:11',
    stage: '#1',
    field: 'id',
    says: 'not a usable id: it is empty',
    hint: ID_RULES,
  },
  'session-name-collision': {
    at: '13:11',
    stage: 'docs_v2',
    field: 'id',
    says: 'same tmux session name as `docs.v2` (line 11): both become `flux-docs_v2`',
    hint: 'rename one of the two',
  },

  // ---- dependencies
  'unknown-dependency': {
    at: '15:22',
    stage: 'stage-2-api',
    field: 'dependencies',
    says: 'unknown stage `stage-1-model` (did you mean `stage-1-models`?)',
    hint: 'a dependency must be the id of another stage in this plan: stage-1-models',
  },
  'self-dependency': {
    at: '14:11',
    stage: 'stage-1',
    field: 'dependencies',
    says: 'the stage depends on itself',
    hint: 'remove `stage-1` from its dependencies',
  },
  'duplicate-dependency': {
    at: '15:31',
    stage: 'stage-2',
    field: 'dependencies',
    says: '`stage-1` is listed twice',
    hint: 'remove the repeated entry',
  },
  cycle: {
    at: '13:22',
    stage: 'a',
    field: 'dependencies',
    says: 'dependency cycle: a → c → b → a',
    hint: '`a → b` means a depends on b; remove one of these dependencies',
  },

  // ---- setup and estimate
  'wrong-type-plan-setup': {
    at: '10:10',
    field: 'setup',
    says: 'must be a list of shell commands, not `npm ci` (a string)',
    hint: 'write `setup: [npm ci]`',
  },
  'wrong-type-stage-setup': {
    at: '13:14',
    stage: 'stage-1',
    field: 'setup',
    says: 'must be a list of shell commands, not `true` (a boolean)',
    hint: 'write `setup: [...]`',
  },
  'wrong-type-setup-entry': {
    at: '15:11',
    stage: 'stage-1',
    field: 'setup',
    says: 'entry 2 must be a string, not a mapping',
    hint: 'an unquoted `: ` starts a YAML mapping',
  },
  'empty-setup': {
    at: '10:21',
    field: 'setup',
    says: 'command 2 is empty',
    hint: 'write the shell command to run, or remove the entry',
  },
  'estimate-not-positive': {
    at: '13:17',
    stage: 'stage-1',
    field: 'estimate',
    says: 'must be a positive number of minutes, not `0` (a number)',
    hint: 'e.g. `estimate: 30`',
  },
  'wrong-type-estimate': {
    at: '13:17',
    stage: 'stage-1',
    field: 'estimate',
    says: 'must be a positive number of minutes, not `30 minutes` (a string)',
    hint: 'write the minutes as a number greater than 0',
  },

  // ---- acceptance and files
  'empty-acceptance': {
    at: '15:11',
    stage: 'stage-1',
    field: 'acceptance',
    says: 'command 2 is empty',
    hint: 'write the shell command to run, or remove the entry',
  },
  'glob-unbalanced-bracket': {
    at: '13:15',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 1 `src/[ab.ts` has a `[` at position 5 that is never closed',
    hint: 'close the `[` with `]`, or write `[[]` to match a literal `[`',
  },
  'glob-unbalanced-brace': {
    at: '14:11',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 1 `src/**/*.{ts,tsx` has a `{` at position 10 that is never closed',
    hint: 'close the `{` with `}`',
  },
  'glob-stray-brace': {
    at: '14:11',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 1 `src/*.ts}` has a `}` at position 9 with no `{`',
    hint: 'remove the `}`, or write `[}]` to match a literal `}`',
  },
  'glob-empty': {
    at: '15:11',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 2 `` is empty',
    hint: 'remove the entry or write a pattern',
  },
  'glob-absolute': {
    at: '14:11',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 1 `/src/models/*.rs` is an absolute path',
    hint: 'write it relative to the repository root',
  },
  'glob-parent': {
    at: '14:11',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 1 `src/../../etc/*` has a `..` segment',
    hint: 'only change files inside the repository',
  },
  'glob-trailing-slash': {
    at: '14:11',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 1 `src/models/` ends with `/`',
    hint: 'write `src/models/**` for everything under that folder',
  },
  'glob-backslash': {
    at: '14:11',
    stage: 'stage-1',
    field: 'files',
    says: 'pattern 1 `src\\models\\*.rs` contains `\\`',
    hint: 'separate folders with `/`',
  },
};

function planErrorOf(fixture: string): PlanError {
  try {
    loadPlan(join(dir, `${fixture}.md`), repoRoot);
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error(`${fixture}.md parsed without an error`);
}

describe('malformed plans', () => {
  test('every fixture has an expected message, and every expectation a fixture', () => {
    const fixtures = readdirSync(dir)
      .filter((name) => name.endsWith('.md'))
      .map((name) => name.slice(0, -'.md'.length))
      .sort();
    expect(fixtures).toEqual(Object.keys(cases).sort());
  });

  test.each(Object.entries(cases))('%s', (fixture, expected) => {
    const error = planErrorOf(fixture);
    const file = `test/fixtures/plans/malformed/${fixture}.md`;
    const where = [
      expected.at === undefined ? file : `${file}:${expected.at}`,
      expected.stage === undefined ? undefined : `stage '${expected.stage}'`,
      expected.field === undefined ? undefined : `field '${expected.field}'`,
    ].filter((part) => part !== undefined);

    expect(error.message).toBe(`${where.join(': ')}: ${expected.says}`);
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.location.file).toBe(file);
    expect(error.stage).toBe(expected.stage);
    expect(error.field).toBe(expected.field);
    expect(error.hint).toContain(expected.hint);
  });
});
