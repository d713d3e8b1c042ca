/**
 * `flux init` refusing bad input: each malformed plan is the README example
 * with one mistake. The CLI must exit 2, name the file (with line:column and
 * the field where there is one) and write nothing: no `.work/`, no staging
 * directory, no change to `.git/info/exclude`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, README_PLAN, runFlux, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-repo.js';

afterAll(cleanupTempRepos);

/** The README plan with `from` replaced by `to` (exactly one occurrence, or the `nth`). */
function mutate(from: string, to: string, nth = 0): string {
  const parts = README_PLAN.split(from);
  if (parts.length < 2 + nth) throw new Error(`'${from}' does not occur ${nth + 1} times`);
  return parts.slice(0, nth + 1).join(from) + to + parts.slice(nth + 1).join(from);
}

/** `line:column` (1-based) of `needle` in `text`, `offset` characters into the match. */
function at(text: string, needle: string, offset = 0): string {
  const index = text.indexOf(needle);
  if (index === -1) throw new Error(`'${needle}' not in text`);
  const before = text.slice(0, index + offset).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

interface Case {
  plan: string;
  /** What stderr must hold after `error: doc/plans/<name>.md`. */
  location: (plan: string) => string;
  stage?: string;
  field?: string;
  says: RegExp;
}

const cases: Record<string, Case> = {
  'no metadata block': {
    plan: README_PLAN.replace('<!-- FLUX METADATA -->\n', '').replace('<!-- END FLUX METADATA -->\n', ''),
    location: () => '',
    says: /no metadata block/,
  },
  'YAML syntax error (unclosed quote)': {
    plan: mutate('name: "API Endpoints"', 'name: "API Endpoints'),
    location: (plan) => `:${at(plan, '"API Endpoints').split(':')[0]}:`,
    stage: 'stage-2-api',
    says: /YAML syntax error: .*quote/,
  },
  'unknown field (misspelt)': {
    plan: mutate('dependencies: [stage-1-models]', 'dependancies: [stage-1-models]'),
    location: (plan) => `:${at(plan, 'dependancies')}`,
    stage: 'stage-2-api',
    field: 'dependancies',
    says: /unknown field \(did you mean `dependencies`\?\)/,
  },
  'duplicate id': {
    plan: mutate('id: stage-3-frontend', 'id: stage-2-api'),
    location: (plan) => `:${at(plan.slice(0, plan.lastIndexOf('id: stage-2-api')) + 'id: X', 'id: X', 4)}`,
    stage: 'stage-2-api',
    field: 'id',
    says: /duplicate id: line \d+ already uses it/,
  },
  'dependency cycle': {
    plan: mutate('dependencies: []', 'dependencies: [stage-3-frontend]'),
    location: (plan) => `:${at(plan, '[stage-3-frontend]', 1)}`,
    stage: 'stage-1-models',
    field: 'dependencies',
    says: /dependency cycle: stage-1-models → stage-3-frontend → stage-1-models/,
  },
  'unknown dependency': {
    plan: mutate('dependencies: [stage-1-models]', 'dependencies: [stage-1-model]', 1),
    location: (plan) => `:${at(plan, '[stage-1-model]', 1)}`,
    stage: 'stage-3-frontend',
    field: 'dependencies',
    says: /unknown stage `stage-1-model` \(did you mean `stage-1-models`\?\)/,
  },
  'duplicate key in a stage': {
    plan: mutate('name: "API Endpoints"\n', 'name: "API Endpoints"\n      name: "Again"\n'),
    location: (plan) => `:${at(plan, 'name: "Again"')}`,
    stage: 'stage-2-api',
    field: 'name',
    says: /appears twice/,
  },
  'wrong type (dependencies as a string)': {
    plan: mutate('dependencies: [stage-1-models]', 'dependencies: stage-1-models'),
    location: (plan) => `:${at(plan, 'dependencies: stage-1-models', 14)}`,
    stage: 'stage-2-api',
    field: 'dependencies',
    says: /must be a list of stage ids/,
  },
  'unknown gate': {
    plan: mutate(
      '      files:\n        - "src/api/*.rs"',
      '      gate: sometimes\n      files:\n        - "src/api/*.rs"',
    ),
    location: (plan) => `:${at(plan, 'gate: sometimes', 6)}`,
    stage: 'stage-2-api',
    field: 'gate',
    says: /human|auto/,
  },
  'unsupported version': {
    plan: mutate('version: 1', 'version: 2'),
    location: (plan) => `:${at(plan, 'version: 2', 9)}`,
    field: 'version',
    says: /1/,
  },
};

describe('flux init with a malformed plan', () => {
  let repo: PlanRepo;
  let excludeBefore: string;

  beforeAll(async () => {
    repo = await tempRepoWithPlan();
    excludeBefore = await repo.read('.git/info/exclude');
  });

  const nothingWritten = async (): Promise<void> => {
    const entries = readdirSync(repo.root);
    expect(entries.filter((entry) => entry.startsWith('.work'))).toEqual([]);
    expect(await repo.read('.git/info/exclude')).toBe(excludeBefore);
  };

  it.concurrent.each(Object.entries(cases))(
    '%s: exit 2, names file, location and field, writes nothing',
    async (name, c) => {
      const file = `doc/plans/bad-${name.replace(/\W+/g, '-')}.md`;
      await writeFile(path.join(repo.root, file), c.plan);
      const result = await repo.flux(['init', file]);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      const firstLine = result.stderr.split('\n')[0]!;
      expect(firstLine.startsWith(`error: ${file}${c.location(c.plan)}`), firstLine).toBe(true);
      if (c.stage !== undefined) expect(firstLine).toContain(`stage '${c.stage}'`);
      if (c.field !== undefined) expect(firstLine).toContain(`field '${c.field}'`);
      expect(firstLine).toMatch(c.says);
      expect(result.stderr).toMatch(/^hint: \S/m);
      await nothingWritten();
    },
  );

  it.concurrent('a plan path that does not exist: exit 2, "plan file not found"', async () => {
    const result = await repo.flux(['init', 'doc/plans/PLAN-nope.md']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error: doc/plans/PLAN-nope.md: plan file not found');
    expect(result.stderr).toContain('hint:');
    await nothingWritten();
  });

  it.concurrent('a directory instead of a plan: exit 2', async () => {
    const result = await repo.flux(['init', 'doc/plans']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error: doc/plans: is a directory');
    await nothingWritten();
  });

  it.concurrent('names the file relative to the repository root when run from a subdirectory', async () => {
    await writeFile(path.join(repo.root, 'doc/plans/bad-sub.md'), mutate('version: 1', 'version: 2'));
    const result = await repo.flux(['init', 'bad-sub.md'], { cwd: 'doc/plans' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: doc\/plans\/bad-sub\.md:\d+:\d+: /);
    await nothingWritten();
  });

  it.concurrent('a missing plan-path argument is a usage error (64)', async () => {
    const result = await repo.flux(['init']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("missing required argument 'plan-path'");
    await nothingWritten();
  });

  describe('then', () => {
    it('the valid plan still initialises', async () => {
      const result = await repo.flux(['init', repo.planPath]);
      expect(result.exitCode).toBe(0);
      expect(existsSync(path.join(repo.root, '.work', 'events.jsonl'))).toBe(true);
    });
  });
});

describe('flux init, other places and leftovers', () => {
  it('from a subdirectory: the workspace goes to the repository root, the plan path is root-relative', async () => {
    const repo = await tempRepoWithPlan();
    const result = await repo.flux(['init', 'PLAN-auth.md'], { cwd: 'doc/plans' });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('(doc/plans/PLAN-auth.md)');
    expect(existsSync(path.join(repo.root, '.work', 'events.jsonl'))).toBe(true);
    expect(existsSync(path.join(repo.root, 'doc', 'plans', '.work'))).toBe(false);
    const [stage, graph] = await Promise.all([
      repo.flux(['stage', 'stage-2-api', 'block'], { cwd: 'doc' }),
      repo.flux(['graph', 'show', '--format', 'json'], { cwd: 'doc/plans' }),
    ]);
    expect(stage.exitCode).toBe(0);
    expect(graph.exitCode).toBe(0);
    expect((JSON.parse(graph.stdout) as { plan: string }).plan).toBe('doc/plans/PLAN-auth.md');
  });

  it('a .work/ without an event log is not overwritten (exit 3)', async () => {
    const repo = await tempRepoWithPlan();
    await mkdir(path.join(repo.root, '.work'));
    await writeFile(path.join(repo.root, '.work', 'notes.txt'), 'mine\n');
    const result = await repo.flux(['init', repo.planPath]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`error: ${repo.root}/.work exists but holds no event log`);
    expect(readdirSync(path.join(repo.root, '.work'))).toEqual(['notes.txt']);
    expect(readdirSync(repo.root).filter((entry) => entry.startsWith('.work'))).toEqual(['.work']);
  });
});

describe('flux init outside a git repository', () => {
  it('exits 5 and writes nothing', async () => {
    const dir = await tempDir('flux-cli-nogit-');
    try {
      await writeFile(path.join(dir, 'PLAN-auth.md'), README_PLAN);
      const result = await runFlux(['init', 'PLAN-auth.md'], { cwd: dir });
      expect(result.exitCode).toBe(5);
      expect(result.stderr).toContain(`error: ${dir} is not inside a git repository`);
      expect(result.stderr).toContain('hint:');
      expect(readdirSync(dir)).toEqual(['PLAN-auth.md']);
      expect(await readFile(path.join(dir, 'PLAN-auth.md'), 'utf8')).toBe(README_PLAN);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
