/**
 * `flux run` checks the cheap part of `flux doctor` before it starts a real
 * claude agent (program found, a key or login, onboarding, this folder
 * trusted) and refuses with doctor's message, exit 5, starting nothing. The
 * simulated agent needs none of it. Claude Code's config is read from a
 * HOME of the test's own, never the person's ~/.claude.json.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, tempRepoWithPlan, type PlanRepo } from '../../helpers/cli.js';
import { privateTmux, type PrivateTmux } from '../../helpers/private-tmux.js';
import { tempDir } from '../../helpers/temp-repo.js';

let tmux: PrivateTmux;
let scratch: string;
let fakeClaude: string;

/** A HOME whose `.claude.json` is `config` (none when undefined). */
function home(name: string, config?: object): string {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, '.claude'), { recursive: true });
  if (config !== undefined) writeFileSync(path.join(dir, '.claude.json'), JSON.stringify(config));
  return dir;
}

async function initialized(
  claude: string,
  settings = '{ apiKeyHelper = "echo sk-ant-test" }',
): Promise<PlanRepo> {
  const repo = await tempRepoWithPlan();
  expect((await repo.flux(['init', repo.planPath])).exitCode).toBe(0);
  const text = (await repo.read('.work/config.toml'))
    .replace(/^command = "claude"$/m, `command = ${JSON.stringify(claude)}`)
    .replace(/^settings = \{\}$/m, `settings = ${settings}`);
  writeFileSync(path.join(repo.root, '.work', 'config.toml'), text);
  return repo;
}

const env = (dir: string) => ({
  HOME: dir,
  CLAUDE_CONFIG_DIR: undefined,
  ANTHROPIC_API_KEY: undefined,
  ANTHROPIC_AUTH_TOKEN: undefined,
  CLAUDE_CODE_OAUTH_TOKEN: undefined,
  FLUX_TMUX_SOCKET: tmux.socket,
});

const started = async (repo: PlanRepo) => (await repo.events()).filter((e) => e.type === 'stage.started');

beforeAll(async () => {
  tmux = privateTmux();
  scratch = await tempDir('flux-preflight-');
  fakeClaude = path.join(scratch, 'claude');
  // Never really started: each refusal comes before a session.
  writeFileSync(fakeClaude, '#!/bin/sh\necho "2.1.197 (Claude Code)"\n');
  chmodSync(fakeClaude, 0o755);
});
afterAll(async () => {
  await tmux.killServer();
  await cleanupTempRepos();
});

describe('flux run before a claude agent', () => {
  it('an untrusted folder: exit 5 with the doctor message, no session started', async () => {
    const repo = await initialized(fakeClaude);
    const result = await repo.flux(['run'], {
      env: env(home('untrusted', { hasCompletedOnboarding: true, projects: {} })),
    });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain(
      `error: claude sessions cannot work here: ${repo.root} is not trusted by claude`,
    );
    expect(result.stderr).toContain(`hint: cd ${repo.root} && claude`);
    expect(result.stderr).toContain('`flux doctor` checks all of it');
    expect(await started(repo)).toEqual([]);
    expect((await tmux.tmux(['list-sessions'])).stdout).toBe('');
  });

  it('no key or login and no onboarding: both said at once', async () => {
    const repo = await initialized(fakeClaude, '{}');
    const result = await repo.flux(['run'], { env: env(home('nothing')) });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain(
      'no login or API key for claude; claude has not been set up for this user: ~/.claude.json does not exist',
    );
    expect(await started(repo)).toEqual([]);
  });

  it('a missing program: just that, with how to install it', async () => {
    const repo = await initialized(path.join(scratch, 'no-such-claude'));
    const result = await repo.flux(['run'], { env: env(home('any')) });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain("error: the claude agent's program");
    expect(result.stderr).toContain('not installed (or not on PATH)');
    expect(result.stderr).toContain('npm install -g @anthropic-ai/claude-code');
    expect(result.stderr).not.toContain('not trusted');
  });

  it('everything in place (key helper, onboarding, trust under CLAUDE_CONFIG_DIR): it goes on', async () => {
    const repo = await initialized(fakeClaude);
    const dir = home('configdir');
    const configDir = path.join(dir, 'elsewhere');
    mkdirSync(configDir);
    writeFileSync(
      path.join(configDir, '.claude.json'),
      JSON.stringify({
        hasCompletedOnboarding: true,
        projects: { [repo.root]: { hasTrustDialogAccepted: true } },
      }),
    );
    // --manual prepares the ready stages and prints their commands: past the check, nothing is started.
    const result = await repo.flux(['run', '--manual'], {
      env: { ...env(dir), CLAUDE_CONFIG_DIR: configDir },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(fakeClaude);
  });

  it('the [claude.env] HOME is the one claude reads', async () => {
    const repo = await initialized(fakeClaude);
    const trusted = home('agent-home', {
      hasCompletedOnboarding: true,
      projects: { [repo.root]: { hasTrustDialogAccepted: true } },
    });
    const file = path.join(repo.root, '.work', 'config.toml');
    writeFileSync(
      file,
      (await repo.read('.work/config.toml')).replace(
        /^\[claude\.env\]$/m,
        `[claude.env]\nHOME = ${JSON.stringify(trusted)}`,
      ),
    );
    const result = await repo.flux(['run', '--manual'], { env: env(home('person-home')) });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('agent = "sim" needs no claude, key, login or trust', async () => {
    const repo = await initialized(path.join(scratch, 'no-such-claude'), '{}');
    const file = path.join(repo.root, '.work', 'config.toml');
    writeFileSync(
      file,
      (await repo.read('.work/config.toml')).replace(/^agent = "claude"$/m, 'agent = "sim"'),
    );
    const result = await repo.flux(['run', '--manual'], { env: env(home('sim')) });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
