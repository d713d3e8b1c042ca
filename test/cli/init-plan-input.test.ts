/**
 * `flux init` refusing hostile or unusual input before anything is written:
 * deep YAML nesting, a repository without commits, control characters and
 * other encodings, special files and links as the plan path, metadata blocks
 * shown inside code fences, and stage ids that share a tmux session name.
 * Every refusal exits with its code, says exactly what and where, and leaves
 * no `.work/` (nor a staging directory, nor a change to `.git/info/exclude`).
 */
import { readdirSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, README_PLAN, runFlux, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';
import { isolatedGitEnv, tempDir } from '../helpers/temp-repo.js';

afterAll(cleanupTempRepos);

/** `line:column` (1-based) of `needle` in `text`, `offset` characters into the match. */
function at(text: string, needle: string, offset = 0): string {
  const index = text.indexOf(needle);
  if (index === -1) throw new Error(`'${needle}' not in text`);
  const before = text.slice(0, index + offset).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

const workEntries = (root: string): string[] =>
  readdirSync(root).filter((entry) => entry.startsWith('.work'));

describe('flux init refuses, writing nothing', () => {
  let repo: PlanRepo;
  let excludeBefore: string;

  beforeAll(async () => {
    repo = await tempRepoWithPlan();
    excludeBefore = await repo.read('.git/info/exclude');
  });

  /** Writes `content` at `file` (relative to the root) and runs `flux init file`. */
  async function initWith(file: string, content: string | Uint8Array) {
    await writeFile(path.join(repo.root, file), content);
    return repo.flux(['init', file]);
  }

  async function expectRefused(
    result: { exitCode: number; stdout: string; stderr: string },
    code: number,
    error: string,
    hint: string,
  ): Promise<void> {
    expect(result.stderr.split('\n')[0]).toBe(`error: ${error}`);
    const hintLine = result.stderr.split('\n').find((line) => line.startsWith('hint: '));
    expect(hintLine).toContain(hint);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.exitCode).toBe(code);
    expect(workEntries(repo.root)).toEqual([]);
    expect(await repo.read('.git/info/exclude')).toBe(excludeBefore);
  }

  it('YAML nested too deeply: exit 2 at the line where the limit is passed', async () => {
    const plan = README_PLAN.replace(
      'description: "Implement auth endpoints"',
      `description: ${'['.repeat(5000)}${']'.repeat(5000)}`,
    );
    const file = 'doc/plans/deep.md';
    const result = await initWith(file, plan);
    await expectRefused(
      result,
      2,
      // The value opens level 5 (document, flux, stages, stage): its 61st `[` opens level 65.
      `${file}:${at(plan, 'description: [', 'description: '.length + 60)}: YAML error: the metadata nests more than 64 levels deep here`,
      'a plan needs only a few levels',
    );
  });

  it('a NUL in a stage name: exit 2, naming U+0000 and its file:line:col', async () => {
    const plan = README_PLAN.replace('name: "API Endpoints"', 'name: "API\u0000Endpoints"');
    const file = 'doc/plans/nul.md';
    await expectRefused(
      await initWith(file, plan),
      2,
      `${file}:${at(plan, '\u0000')}: the control character U+0000 (NUL) is not allowed in a plan`,
      'remove it',
    );
  });

  it('an escape sequence written as a YAML escape: exit 2, naming the field', async () => {
    const plan = README_PLAN.replace('"Build login/signup UI"', '"Build \\e[2J UI"');
    const file = 'doc/plans/escape.md';
    await expectRefused(
      await initWith(file, plan),
      2,
      `${file}:${at(plan, '"Build')}: stage 'stage-3-frontend': field 'description': holds the control character U+001B (ESC)`,
      'remove the escape',
    );
  });

  it('a byte that is not UTF-8: exit 2 at its line:col, instead of a silent U+FFFD', async () => {
    const text = README_PLAN.replace('name: "Data Models"', 'name: "Donn@es"');
    const bytes = Buffer.from(text, 'latin1').map((byte) => (byte === 0x40 ? 0xe9 : byte));
    const file = 'doc/plans/latin1.md';
    await expectRefused(
      await initWith(file, bytes),
      2,
      `${file}:${at(text, '@')}: byte 0xE9 is not valid UTF-8`,
      'save the plan as UTF-8',
    );
  });

  it('a UTF-16 plan: exit 2, naming the encoding instead of "no metadata block"', async () => {
    const file = 'doc/plans/utf16.md';
    await expectRefused(
      await initWith(file, Buffer.from(`\uFEFF${README_PLAN}`, 'utf16le')),
      2,
      `${file}: the plan is UTF-16 (little-endian), not UTF-8`,
      'save the plan as UTF-8',
    );
  });

  it('a FIFO: exit 2 at once, without opening it', async () => {
    const file = 'doc/plans/fifo.md';
    await execa('mkfifo', [path.join(repo.root, file)]);
    const result = await repo.flux(['init', file], { timeoutMs: 20_000 });
    await expectRefused(result, 2, `${file}: is a named pipe (FIFO), not a plan file`, 'regular file');
  });

  it('a link to a plan outside the repository: exit 2, like ../outside.md', async () => {
    const outside = await tempDir('flux-outside-');
    await writeFile(path.join(outside, 'outside.md'), README_PLAN);
    await symlink(path.join(outside, 'outside.md'), path.join(repo.root, 'doc/plans/link.md'));
    await expectRefused(
      await repo.flux(['init', 'doc/plans/link.md']),
      2,
      `doc/plans/link.md: the plan is outside the repository (${repo.root}): it links to ${outside}/outside.md`,
      'keep the plan in the repository',
    );
    await mkdir(path.join(repo.root, '..', path.basename(outside), 'sub'), { recursive: true });
    const relative = path.relative(repo.root, path.join(outside, 'outside.md'));
    await expectRefused(
      await repo.flux(['init', relative]),
      2,
      `${outside}/outside.md: the plan is outside the repository (${repo.root})`,
      'keep the plan in the repository',
    );
  });

  it('a plan whose only metadata block is an example in a code fence: exit 2, pointing at the example', async () => {
    const plan = `# About plans\n\n\`\`\`\`markdown\n${README_PLAN}\`\`\`\`\n`;
    const file = 'doc/plans/readme-like.md';
    await expectRefused(
      await initWith(file, plan),
      2,
      `${file}: no metadata block`,
      `the \`<!-- FLUX METADATA -->\` at line ${at(plan, '<!-- FLUX').split(':')[0]} is inside the code fence opened at line 3`,
    );
  });

  it('stage ids that share a tmux session name: exit 2, both ids named, at the second', async () => {
    const plan = README_PLAN.replace('id: stage-1-models', 'id: stage.1')
      .replaceAll('[stage-1-models]', '[stage.1]')
      .replace('id: stage-2-api', 'id: stage_1');
    const file = 'doc/plans/collide.md';
    await expectRefused(
      await initWith(file, plan),
      2,
      `${file}:${at(plan, 'stage_1')}: stage 'stage_1': field 'id': same tmux session name as \`stage.1\` (line ${at(plan, 'stage.1').split(':')[0]}): both become \`flux-stage_1\``,
      'rename one of the two',
    );
  });
});

describe('flux init accepts', () => {
  it('a plan that shows an example block in a fence after its own block', async () => {
    const example = README_PLAN.replaceAll('stage-', 'example-');
    const repo = await tempRepoWithPlan(
      `${README_PLAN}\n## Example\n\n\`\`\`\`markdown\n${example}\`\`\`\`\n`,
    );
    const result = await repo.flux(['init', repo.planPath]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('(doc/plans/PLAN-auth.md): 3 stages.');
    expect(result.stdout).toContain('Ready now: stage-1-models');
  });

  it('a link inside the repository to the plan, recording the real file', async () => {
    const repo = await tempRepoWithPlan();
    await symlink('PLAN-auth.md', path.join(repo.root, 'doc/plans/current.md'));
    const result = await repo.flux(['init', 'doc/plans/current.md']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('(doc/plans/PLAN-auth.md)');
  });
});

describe('flux init in a repository without commits', () => {
  it('exits 3 like `flux task run`, and writes nothing', async () => {
    const root = await tempDir('flux-nocommit-');
    await execa('git', ['init', '--quiet', '--initial-branch=main'], { cwd: root, env: isolatedGitEnv });
    await mkdir(path.join(root, 'doc/plans'), { recursive: true });
    await writeFile(path.join(root, 'doc/plans/PLAN-auth.md'), README_PLAN);
    const excludeBefore = await readFile(path.join(root, '.git/info/exclude'), 'utf8');

    const result = await runFlux(['init', 'doc/plans/PLAN-auth.md'], { cwd: root });
    expect(result.stderr.split('\n')[0]).toBe(`error: the repository at ${root} has no commits yet`);
    expect(result.stderr).toContain(
      'hint: make a first commit (stages fork from it), then run `flux init` again',
    );
    expect(result.exitCode).toBe(3);
    expect(workEntries(root)).toEqual([]);
    expect(await readFile(path.join(root, '.git/info/exclude'), 'utf8')).toBe(excludeBefore);
  });
});
