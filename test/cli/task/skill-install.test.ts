/**
 * `flux skill install [--project | --user] [--force]` and `flux skill show`:
 * where the SKILL.md goes, its front matter, and that a different file
 * already there is kept unless `--force`. (Whether the real claude picks it
 * up: test/e2e/skill.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planNewSystemPrompt, PLAN_FORMAT_GUIDE } from '../../../src/agents/plan-prompt.js';
import { SKILL_MD } from '../../../src/agents/skill.js';
import { FLUX_KEYS, STAGE_FIELDS } from '../../../src/plan/schema.js';
import { makeTaskRig, type TaskRig } from './harness.js';

describe('flux skill install', () => {
  let rig: TaskRig;
  let home: string;
  const projectFile = (): string => path.join(rig.root, '.claude', 'skills', 'flux', 'SKILL.md');

  beforeAll(async () => {
    rig = await makeTaskRig();
    home = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'flux-home-')));
  });
  afterAll(async () => {
    rmSync(home, { recursive: true, force: true });
    await rig.cleanup();
  });

  it('the skill has the front matter Claude Code reads: name and description', () => {
    const match = /^---\n([\s\S]*?)\n---\n/.exec(SKILL_MD);
    expect(match).not.toBeNull();
    const front = parse(match![1]!) as { name: string; description: string };
    expect(front.name).toBe('flux');
    expect(front.description).toContain('flux task run/list/status/cleanup');
    expect(front.description.length).toBeLessThanOrEqual(1024);
    for (const command of [
      'flux task run',
      'flux task list',
      'flux task status',
      'flux task cleanup',
      'flux status',
      'flux run',
      'flux plan check',
      'flux doctor',
    ])
      expect(SKILL_MD).toContain(command);
  });

  it('the plan format guide names every field a stage and the plan can have', () => {
    // `field` alone, or as `field: value`.
    const named = (field: string) => new RegExp(`\`${field}(\`|: )`).test(PLAN_FORMAT_GUIDE);
    expect(STAGE_FIELDS.filter((field) => !named(field))).toEqual([]);
    expect(FLUX_KEYS.filter((key) => !named(key))).toEqual([]);
  });

  it('teaches the plan format flux plan new gives claude, and to check a plan before flux init', () => {
    expect(SKILL_MD).toContain(PLAN_FORMAT_GUIDE);
    expect(SKILL_MD).toContain('flux plan check doc/plans/PLAN-<slug>.md');
    expect(planNewSystemPrompt('doc/plans/PLAN-x.md')).toContain(PLAN_FORMAT_GUIDE);
  });

  it('--project (the default) writes .claude/skills/flux/SKILL.md at the repository root, also from a subfolder', async () => {
    mkdirSync(path.join(rig.root, 'src', 'deep'), { recursive: true });
    const result = await rig.flux(['skill', 'install'], { cwd: 'src/deep' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Installed the Flux skill for this repository: ${projectFile()}`);
    expect(readFileSync(projectFile(), 'utf8')).toBe(SKILL_MD);
    const again = await rig.flux(['skill', 'install', '--project']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already installed for this repository, up to date');
  });

  it('refuses to overwrite a different SKILL.md (exit 3) unless --force', async () => {
    writeFileSync(projectFile(), '---\nname: flux\ndescription: mine\n---\nMy own.\n');
    const refused = await rig.flux(['skill', 'install']);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain('exists and differs');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(projectFile(), 'utf8')).toContain('My own.');
    const forced = await rig.flux(['skill', 'install', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(readFileSync(projectFile(), 'utf8')).toBe(SKILL_MD);
  });

  it('--user writes to $CLAUDE_CONFIG_DIR, else ~/.claude', async () => {
    const config = path.join(home, 'custom-claude');
    const custom = await rig.flux(['skill', 'install', '--user'], { env: { CLAUDE_CONFIG_DIR: config } });
    expect(custom.exitCode, custom.stderr).toBe(0);
    expect(readFileSync(path.join(config, 'skills', 'flux', 'SKILL.md'), 'utf8')).toBe(SKILL_MD);
    const byHome = await rig.flux(['skill', 'install', '--user'], {
      env: { HOME: home, CLAUDE_CONFIG_DIR: undefined },
    });
    expect(byHome.exitCode, byHome.stderr).toBe(0);
    expect(byHome.stdout).toContain('for your user');
    expect(existsSync(path.join(home, '.claude', 'skills', 'flux', 'SKILL.md'))).toBe(true);
  });

  it('--project and --user exclude each other; a project install needs a repository (exit 5)', async () => {
    expect((await rig.flux(['skill', 'install', '--project', '--user'])).exitCode).toBe(64);
    const outside = await rig.flux(['skill', 'install'], { cwd: home });
    expect(outside.exitCode).toBe(5);
    expect(outside.stderr).toContain('not inside a git repository');
  });

  it('flux skill show prints it', async () => {
    const shown = await rig.flux(['skill', 'show']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toBe(SKILL_MD);
  });
});
