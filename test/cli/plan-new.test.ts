/**
 * `flux plan new` in this terminal, with a stand-in claude (a script that
 * records its arguments and writes what it is told to): the arguments Flux
 * starts claude with, and what Flux says when claude exits. The real claude
 * is driven in test/e2e/flux/plan-new.test.ts.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, README_PLAN, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-repo.js';

let scratch: string;

/** A claude that saves its argv (one per line, NUL-free) and then runs `body`. */
function fakeClaude(name: string, body: string): string {
  const file = path.join(scratch, name);
  writeFileSync(
    file,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n--arg--\\n' "$a"; done > "${file}.args"\n${body}\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

async function repoWith(claude: string): Promise<PlanRepo> {
  const repo = await tempRepoWithPlan();
  expect((await repo.flux(['task', 'init'])).exitCode).toBe(0);
  const config = path.join(repo.root, '.work', 'config.toml');
  writeFileSync(
    config,
    (await repo.read('.work/config.toml')).replace(
      /^command = "claude"$/m,
      `command = ${JSON.stringify(claude)}`,
    ),
  );
  return repo;
}

const args = (claude: string): string[] =>
  readFileSync(`${claude}.args`, 'utf8').split('\n--arg--\n').slice(0, -1);

beforeAll(async () => {
  scratch = await tempDir('flux-plan-new-');
  writeFileSync(path.join(scratch, 'plan.md'), README_PLAN);
  writeFileSync(
    path.join(scratch, 'bad.md'),
    README_PLAN.replace(
      'dependencies: [stage-1-models]\n      acceptance',
      'dependencies: [nope]\n      acceptance',
    ),
  );
});
afterAll(cleanupTempRepos);

describe('flux plan new (in this terminal)', () => {
  it('starts claude in plan mode, told the format, asked for doc/plans/PLAN-<slug>.md; checks it when claude exits', async () => {
    const claude = fakeClaude(
      'claude-writes',
      `mkdir -p doc/plans && cp "${scratch}/plan.md" doc/plans/PLAN-oauth-login.md`,
    );
    const repo = await repoWith(claude);
    const result = await repo.flux(['plan', 'new', 'Add', 'OAuth', 'login']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'Valid: doc/plans/PLAN-oauth-login.md: Implement User Authentication, 3 stages.',
    );
    expect(result.stdout).toMatch(/Next: `flux init doc\/plans\/PLAN-oauth-login\.md`\n$/);
    const argv = args(claude);
    expect(argv.slice(0, 2)).toEqual(['--permission-mode', 'plan']);
    const system = argv[argv.indexOf('--append-system-prompt') + 1]!;
    expect(system).toContain('<!-- FLUX METADATA -->');
    expect(system).toContain('write it to doc/plans/PLAN-oauth-login.md');
    expect(system).toContain('`flux plan check doc/plans/PLAN-oauth-login.md`');
    // The prompt comes after `--`, so no option swallows it.
    expect(argv.at(-2)).toBe('--');
    expect(argv.at(-1)).toBe(
      'Write a Flux plan for this goal:\n\nAdd OAuth login\n\nSave it as doc/plans/PLAN-oauth-login.md.',
    );
  });

  it('an invalid plan: its error, exit 2', async () => {
    const claude = fakeClaude(
      'claude-bad',
      `mkdir -p doc/plans && cp "${scratch}/bad.md" doc/plans/PLAN-x.md`,
    );
    const repo = await repoWith(claude);
    const result = await repo.flux(['plan', 'new', '--slug', 'x', 'Something']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown stage `nope`');
    expect(result.stdout).toContain('Fix doc/plans/PLAN-x.md, then `flux plan check doc/plans/PLAN-x.md`.');
  });

  it('claude exits without writing it: exit 5, saying how to go on', async () => {
    const repo = await repoWith(fakeClaude('claude-idle', 'exit 0'));
    const result = await repo.flux(['plan', 'new', 'Something']);
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain('claude ended without writing doc/plans/PLAN-something.md');
  });

  it('refused before claude starts: the plan exists (3), claude missing (5), no goal (64)', async () => {
    const claude = fakeClaude('claude-never', `touch "${scratch}/started"`);
    const repo = await repoWith(claude);
    const exists = await repo.flux(['plan', 'new', '--slug', 'auth', 'Auth again']);
    expect(exists.exitCode).toBe(3);
    expect(exists.stderr).toContain('doc/plans/PLAN-auth.md exists already');
    const config = path.join(repo.root, '.work', 'config.toml');
    writeFileSync(
      config,
      (await repo.read('.work/config.toml')).replace(
        `command = ${JSON.stringify(claude)}`,
        'command = "/no/such/claude"',
      ),
    );
    const missing = await repo.flux(['plan', 'new', 'Something']);
    expect(missing.exitCode).toBe(5);
    expect(missing.stderr).toContain("the claude program '/no/such/claude' is not installed");
    expect((await repo.flux(['plan', 'new', ' '])).exitCode).toBe(64);
    expect(existsSync(path.join(scratch, 'started'))).toBe(false);
  });
});
