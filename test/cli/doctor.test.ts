/**
 * `flux doctor` end to end: real git, a private tmux server, a stand-in
 * `claude` (a script printing a version) and a HOME of the test's own, so
 * nothing depends on the person's ~/.claude.json.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, tempRepoWithPlan, type PlanRepo } from '../helpers/cli.js';
import { privateTmux, type PrivateTmux } from '../helpers/private-tmux.js';
import { tempDir } from '../helpers/temp-repo.js';

interface DoctorJson {
  ok: boolean;
  agent: string;
  checks: { id: string; status: string; summary: string; fix?: string; details?: string[] }[];
}

let tmux: PrivateTmux;
let scratch: string;

/** A HOME whose `.claude.json` is `config` (none when undefined). */
function claudeHome(name: string, config?: object): string {
  const home = path.join(scratch, name);
  mkdirSync(path.join(home, '.claude'), { recursive: true });
  if (config !== undefined) writeFileSync(path.join(home, '.claude.json'), JSON.stringify(config));
  return home;
}

/** A stand-in claude that answers `--version` as the pinned one does. */
function fakeClaude(version = '2.1.197 (Claude Code)'): string {
  const file = path.join(scratch, `claude-${version.split(' ')[0]}`);
  writeFileSync(file, `#!/bin/sh\necho '${version}'\n`);
  chmodSync(file, 0o755);
  return file;
}

async function configure(repo: PlanRepo, claude: string, extra = ''): Promise<void> {
  const file = path.join(repo.root, '.work', 'config.toml');
  const text = (await repo.read('.work/config.toml'))
    .replace(/^command = "claude"$/m, `command = ${JSON.stringify(claude)}`)
    .replace(/^settings = \{\}$/m, 'settings = { apiKeyHelper = "echo sk-ant-test" }');
  writeFileSync(file, text + extra);
}

const env = (home: string) => ({
  HOME: home,
  CLAUDE_CONFIG_DIR: undefined,
  ANTHROPIC_API_KEY: undefined,
  ANTHROPIC_AUTH_TOKEN: undefined,
  CLAUDE_CODE_OAUTH_TOKEN: undefined,
  FLUX_TMUX_SOCKET: tmux.socket,
});

const check = (json: DoctorJson, id: string) => json.checks.find((c) => c.id === id)!;

beforeAll(async () => {
  tmux = privateTmux();
  scratch = await tempDir('flux-doctor-');
});
afterAll(async () => {
  await tmux.killServer();
  await cleanupTempRepos();
  await execa('rm', ['-rf', scratch]);
});

describe('flux doctor', () => {
  it('all good: exit 0, every check ✓ with what it found', async () => {
    const repo = await tempRepoWithPlan();
    expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
    await configure(repo, fakeClaude());
    const home = claudeHome('good', {
      hasCompletedOnboarding: true,
      projects: { [repo.root]: { hasTrustDialogAccepted: true } },
    });
    const result = await repo.flux(['doctor'], { env: env(home) });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('✓ git ');
    expect(result.stdout).toContain('✓ tmux ');
    expect(result.stdout).toContain('Agent (run.agent = "claude")');
    expect(result.stdout).toContain('✓ claude 2.1.197 (Flux is tested with 2.1.197 to 2.1.329)');
    expect(result.stdout).toContain('✓ key: apiKeyHelper in [claude] settings');
    expect(result.stdout).toContain(`✓ ${repo.root} is trusted (~/.claude.json)`);
    expect(result.stdout).toContain('750k tokens');
    expect(result.stdout).toContain('✓ the log replays (');
    expect(result.stdout).toMatch(/All good\.\n$/);
  });

  it('something to fix: exit 1; stale lock, orphans and no trust, each with its fix (--json)', async () => {
    const repo = await tempRepoWithPlan();
    expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
    await configure(repo, fakeClaude());
    const home = claudeHome('untrusted', { hasCompletedOnboarding: true, projects: {} });
    // A lock whose holder has exited.
    const gone = spawnSync('true');
    writeFileSync(
      path.join(repo.root, '.work', 'effects.lock'),
      `${gone.pid} ${os.hostname()} ${new Date().toISOString()}\n`,
    );
    // A branch, a worktree folder and a tmux session of no stage.
    await repo.git(['branch', 'flux/ghost']);
    mkdirSync(path.join(repo.root, '.worktrees', 'ghost'), { recursive: true });
    const started = await tmux.tmux(['new-session', '-d', '-s', 'flux-ghost', 'sleep', '600']);
    expect(started.exitCode).toBe(0);

    const result = await repo.flux(['doctor', '--json'], { env: env(home) });
    expect(result.exitCode).toBe(1);
    const json = JSON.parse(result.stdout) as DoctorJson;
    expect(json.ok).toBe(false);
    expect(check(json, 'agent.trust')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining(`cd ${repo.root} && claude`),
    });
    expect(check(json, 'workspace.locks')).toMatchObject({ status: 'fail', fix: 'rm .work/effects.lock' });
    const orphans = check(json, 'workspace.orphans');
    expect(orphans.status).toBe('fail');
    expect(orphans.details).toEqual([
      'worktree .worktrees/ghost: no stage of that id',
      'branch flux/ghost: no stage of that id',
      "tmux session flux-ghost: no live session of Flux's runs in it",
    ]);
    expect(orphans.fix).toBe(
      `flux worktree clean; git branch -d flux/ghost; tmux -L ${tmux.socket} kill-session -t '=flux-ghost'`,
    );

    const text = await repo.flux(['doctor'], { env: env(home) });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('✗ stale lock: effects.lock');
    expect(text.stdout).toContain('fix: rm .work/effects.lock');
    expect(text.stdout).toMatch(/3 things to fix/);
    await tmux.tmux(['kill-session', '-t', '=flux-ghost']);
  });

  it('agent = "sim": the claude checks are not needed', async () => {
    const repo = await tempRepoWithPlan();
    expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
    const config = path.join(repo.root, '.work', 'config.toml');
    writeFileSync(
      config,
      (await repo.read('.work/config.toml')).replace(/^agent = "claude"$/m, 'agent = "sim"'),
    );
    const result = await repo.flux(['doctor'], { env: env(claudeHome('nothing')) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('– run.agent = "sim": the simulated agent needs no claude');
    expect(result.stdout).not.toContain('key:');
  });

  it('outside a repository: the tools and the agent, no workspace to check', async () => {
    const dir = await tempDir('flux-doctor-norepo-');
    const result = await (
      await tempRepoWithPlan()
    ).flux(['doctor'], { cwd: dir, env: env(claudeHome('fresh')) });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '✗ claude has not been set up for this user: ~/.claude.json does not exist',
    );
    expect(result.stdout).toContain('– not inside a git repository: no workspace to check');
  });
});
