/**
 * `flux plan check`: what `flux init` refuses, it refuses with the same
 * message (exit 2); a valid plan passes (exit 0) with its warnings; nothing
 * is written either way.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, README_PLAN, tempRepoWithPlan } from '../helpers/cli.js';

afterAll(cleanupTempRepos);

const PLAN = (stages: string) => `# PLAN: Checked

<!-- FLUX METADATA -->

\`\`\`yaml
flux:
  version: 1
  stages:
${stages}
\`\`\`

<!-- END FLUX METADATA -->
`;

describe('flux plan check', () => {
  it('an invalid plan: exit 2 with the message and hint of `flux init`, nothing written', async () => {
    const repo = await tempRepoWithPlan(
      README_PLAN.replace(
        'dependencies: [stage-1-models]\n      acceptance',
        'dependencies: [stage-1-modls]\n      acceptance',
      ),
    );
    const checked = await repo.flux(['plan', 'check', repo.planPath]);
    expect(checked.exitCode).toBe(2);
    expect(checked.stderr).toContain(
      "stage 'stage-2-api': field 'dependencies': unknown stage `stage-1-modls` (did you mean `stage-1-models`?)",
    );
    const init = await repo.flux(['init', repo.planPath]);
    expect(init.exitCode).toBe(2);
    expect(checked.stderr).toBe(init.stderr);
    expect(existsSync(path.join(repo.root, '.work'))).toBe(false);

    const json = await repo.flux(['plan', 'check', repo.planPath, '--json']);
    expect(json.exitCode).toBe(2);
    const parsed = JSON.parse(json.stdout) as {
      ok: boolean;
      errors: { line: number; stage: string; field: string }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.errors[0]).toMatchObject({ stage: 'stage-2-api', field: 'dependencies' });
    expect(parsed.errors[0]!.line).toBeGreaterThan(0);
  });

  it("the README's plan: valid, exit 0, with the warnings that fit (no cargo here) and the next command", async () => {
    const repo = await tempRepoWithPlan();
    const result = await repo.flux(['plan', 'check', repo.planPath], {
      env: { PATH: path.dirname(process.execPath) + ':/usr/bin:/bin' },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Valid: ${repo.planPath}: Implement User Authentication, 3 stages.`);
    expect(result.stdout).toContain('Next: `flux init doc/plans/PLAN-auth.md`');
    // Its stages change folders that do not exist yet: that is no typo.
    expect(result.stdout).not.toContain('matches nothing');
    if (!existsSync('/usr/bin/cargo') && !existsSync('/bin/cargo'))
      expect(result.stdout).toContain('runs `cargo`, which is not installed (or not on PATH)');
    expect(existsSync(path.join(repo.root, '.work'))).toBe(false);
  });

  it('warnings: overlap (both stages named), no acceptance, no files, a glob typo, a missing program', async () => {
    const repo = await tempRepoWithPlan(
      PLAN(`    - id: models
      name: "Models"
      acceptance: ["no-such-tool-flux-test run"]
      files: ["scr/lib/*.ts", "src/models/**"]
    - id: api
      name: "API"
      acceptance: ["sh -c true"]
      files: ["src/**"]
    - id: docs
      name: "Docs"
      dependencies: [api]
      files: []`),
    );
    await repo.commit('sources', { 'src/lib/a.ts': 'export {};\n' });
    const result = await repo.flux(['plan', 'check', repo.planPath, '--json']);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as {
      ok: boolean;
      warnings: { kind: string; stage: string; other?: string; message: string }[];
      next: string;
    };
    expect(json.ok).toBe(true);
    expect(json.warnings.map((w) => [w.kind, w.stage])).toEqual([
      ['overlap', 'models'],
      ['glob-typo', 'models'],
      ['missing-program', 'models'],
      ['no-acceptance', 'docs'],
      ['no-files', 'docs'],
    ]);
    expect(json.warnings[0]).toMatchObject({ other: 'api' });
    expect(json.warnings[1]!.message).toContain('did you mean `src/lib/*.ts`?');
    expect(json.next).toBe(`flux init ${repo.planPath}`);

    const text = await repo.flux(['plan', 'check', repo.planPath]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('warning: models and api can run in parallel');
    expect(text.stdout).toContain('5 warnings (none stops `flux init`).');
  });

  it('outside a repository: exit 5', async () => {
    const repo = await tempRepoWithPlan();
    const result = await repo.flux(['plan', 'check', path.join(repo.root, repo.planPath)], { cwd: '/' });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain('not inside a git repository');
  });
});
