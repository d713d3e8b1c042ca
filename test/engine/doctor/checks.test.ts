/**
 * `flux doctor`'s checks, with given facts: what each finds fine, what it
 * asks to fix, and the fix it names.
 */
import { describe, expect, it } from 'vitest';
import {
  claudeBlockers,
  doctorChecks,
  needsFixing,
  toolChecks,
  workspaceChecks,
} from '../../../src/engine/doctor/checks.js';
import { agentChecks, contextWindow, tokens, trustedBy } from '../../../src/engine/doctor/claude.js';
import type { Check, ClaudeFacts, DoctorFacts, WorkspaceFacts } from '../../../src/engine/doctor/types.js';

const HOME = '/home/ada';
const ROOT = '/home/ada/src/app';

function claude(over: Partial<ClaudeFacts> = {}): ClaudeFacts {
  return {
    command: 'claude',
    path: '/usr/local/bin/claude',
    version: { found: true, output: '2.1.197 (Claude Code)' },
    root: ROOT,
    configFile: `${HOME}/.claude.json`,
    config: { hasCompletedOnboarding: true, projects: { [ROOT]: { hasTrustDialogAccepted: true } } },
    configDir: `${HOME}/.claude`,
    credentialsLogin: true,
    fluxApiKeyHelper: false,
    userApiKeyHelper: false,
    env: {},
    model: '',
    autoCompactWindow: null,
    handoffThreshold: 75,
    ...over,
  };
}

function workspace(over: Partial<WorkspaceFacts> = {}): WorkspaceFacts {
  return {
    root: ROOT,
    present: true,
    configWithoutLog: false,
    configError: null,
    log: { ok: true, events: 12 },
    locks: [],
    branches: ['flux/api'],
    worktreeDirs: ['api'],
    tmuxSessions: ['flux-api'],
    known: { branches: ['flux/api', 'flux/models'], worktreeDirs: ['api', 'models'], liveTmux: ['flux-api'] },
    tmuxSocket: undefined,
    supervisor: { running: false, leftoverPid: null },
    now: 1_000_000,
    ...over,
  };
}

const byId = (checks: readonly Check[], id: string): Check => {
  const found = checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no check ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
};
const agent = (over: Partial<ClaudeFacts> = {}) => agentChecks({ kind: 'claude', ...claude(over) }, HOME);

describe('tools', () => {
  it('accepts git 2.38+ and tmux 3.2+, and names the minimum', () => {
    const checks = toolChecks({
      git: { found: true, output: 'git version 2.39.5' },
      tmux: { found: true, output: 'tmux 3.3a' },
    });
    expect(checks.map((c) => [c.id, c.status, c.summary])).toEqual([
      ['git', 'ok', 'git 2.39.5 (Flux needs 2.38 or newer)'],
      ['tmux', 'ok', 'tmux 3.3a (Flux needs 3.2 or newer)'],
    ]);
  });

  it('refuses older ones and missing ones, with how to install', () => {
    const checks = toolChecks({
      git: { found: true, output: 'git version 2.34.1' },
      tmux: { found: false, error: 'is not installed (or not on PATH)' },
    });
    expect(byId(checks, 'git')).toMatchObject({
      status: 'fail',
      summary: 'git 2.34.1 is too old: Flux needs 2.38 or newer',
    });
    expect(byId(checks, 'git').fix).toContain('install git 2.38');
    expect(byId(checks, 'tmux')).toMatchObject({ status: 'fail' });
    expect(byId(checks, 'tmux').fix).toContain('apt-get install tmux');
  });

  it('trusts a tmux built from source (no version number)', () => {
    expect(
      toolChecks({
        git: { found: true, output: 'git version 2.45.0' },
        tmux: { found: true, output: 'tmux master' },
      })[1]!.status,
    ).toBe('ok');
  });
});

describe('the claude agent', () => {
  it('all good: found, tested version, a login, onboarding, trust, the window', () => {
    const checks = agent();
    expect(checks.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(byId(checks, 'agent.key').summary).toBe('key: a Claude login (~/.claude/.credentials.json)');
    expect(byId(checks, 'agent.trust').summary).toBe(`${ROOT} is trusted (~/.claude.json)`);
  });

  it('a missing program is the message `flux run` gives, with how to install', () => {
    const checks = agent({ path: null });
    expect(byId(checks, 'agent.program')).toMatchObject({
      status: 'fail',
      summary: "the claude agent's program 'claude' is not installed (or not on PATH)",
    });
    expect(byId(checks, 'agent.program').fix).toContain('npm install -g @anthropic-ai/claude-code');
    expect(checks.some((c) => c.id === 'agent.version')).toBe(false);
  });

  it('versions: in the tested range ok; older or newer a warning', () => {
    expect(
      byId(agent({ version: { found: true, output: '2.1.250 (Claude Code)' } }), 'agent.version').status,
    ).toBe('ok');
    const older = byId(agent({ version: { found: true, output: '2.0.5 (Claude Code)' } }), 'agent.version');
    expect(older).toMatchObject({ status: 'warn' });
    expect(older.summary).toContain('older than the versions Flux is tested with 2.1.197 to 2.1.329');
    expect(byId(agent({ version: { found: true, output: '2.2.0' } }), 'agent.version').status).toBe('warn');
    expect(byId(agent({ version: { found: false, error: 'exited 1' } }), 'agent.version').status).toBe(
      'fail',
    );
  });

  it('says which key it found, in the order claude uses them', () => {
    const key = (over: Partial<ClaudeFacts>) =>
      byId(agent({ credentialsLogin: false, ...over }), 'agent.key');
    expect(key({ fluxApiKeyHelper: true }).summary).toBe('key: apiKeyHelper in [claude] settings');
    expect(key({ userApiKeyHelper: true }).summary).toBe('key: apiKeyHelper in ~/.claude/settings.json');
    expect(key({ env: { ANTHROPIC_AUTH_TOKEN: { source: 'claude.env', value: 't' } } }).summary).toBe(
      'key: ANTHROPIC_AUTH_TOKEN in [claude.env]',
    );
    expect(
      key({ config: { hasCompletedOnboarding: true, oauthAccount: { emailAddress: 'ada@example.com' } } })
        .summary,
    ).toBe('key: a Claude login as ada@example.com (~/.claude.json)');
    expect(
      key({ env: { CLAUDE_CODE_USE_BEDROCK: { source: 'environment', value: '1' } } }).summary,
    ).toContain('cloud provider');
  });

  it('an ANTHROPIC_API_KEY claude has not approved yet is a warning: the pane would ask', () => {
    const value = 'sk-ant-api03-0123456789abcdefghijklmnop';
    const unapproved = byId(
      agent({ credentialsLogin: false, env: { ANTHROPIC_API_KEY: { source: 'environment', value } } }),
      'agent.key',
    );
    expect(unapproved).toMatchObject({
      status: 'warn',
      summary: 'key: ANTHROPIC_API_KEY in the environment',
    });
    expect(unapproved.details?.[0]).toContain('Do you want to use this API key?');
    const approved = byId(
      agent({
        credentialsLogin: false,
        env: { ANTHROPIC_API_KEY: { source: 'environment', value } },
        config: { hasCompletedOnboarding: true, customApiKeyResponses: { approved: [value.slice(-20)] } },
      }),
      'agent.key',
    );
    expect(approved.status).toBe('ok');
  });

  it('no key and no login: to fix, naming the three ways', () => {
    const check = byId(agent({ credentialsLogin: false }), 'agent.key');
    expect(check).toMatchObject({ status: 'fail', summary: 'no login or API key for claude' });
    expect(check.fix).toMatch(/\/login.*apiKeyHelper.*ANTHROPIC_API_KEY/);
  });

  it('onboarding and trust: a missing file, no onboarding, an untrusted root', () => {
    const missing = agent({ config: null });
    expect(byId(missing, 'agent.onboarding')).toMatchObject({
      status: 'fail',
      summary: 'claude has not been set up for this user: ~/.claude.json does not exist',
    });
    expect(byId(missing, 'agent.onboarding').fix).toBe(
      `cd ${ROOT} && claude   (finish the first-run questions, answer "Yes, I trust this folder", then /exit)`,
    );
    expect(missing.some((c) => c.id === 'agent.trust')).toBe(false);
    expect(byId(agent({ config: 'not valid JSON (x)' }), 'agent.onboarding').summary).toContain(
      'cannot be read: not valid JSON',
    );
    expect(
      byId(agent({ config: { projects: { [ROOT]: { hasTrustDialogAccepted: true } } } }), 'agent.onboarding')
        .status,
    ).toBe('fail');
    const untrusted = byId(agent({ config: { hasCompletedOnboarding: true, projects: {} } }), 'agent.trust');
    expect(untrusted.status).toBe('fail');
    expect(untrusted.summary).toContain(`no projects["${ROOT}"].hasTrustDialogAccepted in ~/.claude.json`);
  });

  it('trust of a folder above the repository covers it, as in Claude Code', () => {
    const config = {
      projects: { '/home/ada': { hasTrustDialogAccepted: true }, [ROOT]: { hasTrustDialogAccepted: false } },
    };
    expect(trustedBy(config, ROOT)).toBe('/home/ada');
    expect(trustedBy({ projects: {} }, ROOT)).toBeUndefined();
    expect(byId(agent({ config: { hasCompletedOnboarding: true, ...config } }), 'agent.trust').summary).toBe(
      `${ROOT} is trusted through /home/ada (~/.claude.json)`,
    );
  });

  it('the window and what the threshold means in tokens', () => {
    expect(contextWindow('')).toBe(1_000_000);
    expect(contextWindow('claude-opus-4-8[1m]')).toBe(1_000_000);
    expect(contextWindow('claude-sonnet-4-5')).toBe(200_000);
    expect(tokens(750_000)).toBe('750k');
    expect(tokens(1_000_000)).toBe('1M');
    expect(byId(agent(), 'agent.model').summary).toBe(
      "Claude Code's default model, 1M-token window: run.handoff_threshold 75% hands off at 750k tokens",
    );
    const small = byId(agent({ model: 'claude-sonnet-4-5', autoCompactWindow: 200_000 }), 'agent.model');
    expect(small.summary).toBe(
      'model claude-sonnet-4-5, 200k-token window: run.handoff_threshold 75% hands off at 150k tokens',
    );
    expect(small.details?.[0]).toContain('compact near 167k tokens');
  });

  it('what stops `flux run`: only the failed program, key, onboarding and trust checks', () => {
    expect(claudeBlockers(claude(), HOME)).toEqual([]);
    const blockers = claudeBlockers(
      claude({ credentialsLogin: false, config: { hasCompletedOnboarding: true } }),
      HOME,
    );
    expect(blockers.map((c) => c.id)).toEqual(['agent.key', 'agent.trust']);
    // A version outside the tested range never stops a run.
    expect(claudeBlockers(claude({ version: { found: true, output: '9.0.0' } }), HOME)).toEqual([]);
  });

  it('sim needs none of it; a command agent needs its program', () => {
    expect(agentChecks({ kind: 'sim' }, HOME)).toMatchObject([{ status: 'skip' }]);
    expect(agentChecks({ kind: 'sim' }, HOME)[0]!.summary).toContain('needs no claude');
    expect(
      agentChecks({ kind: 'command', name: 'aider', program: 'aider', found: false }, HOME)[0],
    ).toMatchObject({
      status: 'fail',
      fix: 'install it, or fix [agents.aider] command in .work/config.toml',
    });
  });
});

describe('the workspace', () => {
  it('all good', () => {
    const checks = workspaceChecks(workspace());
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['workspace.config', 'ok'],
      ['workspace.log', 'ok'],
      ['workspace.locks', 'ok'],
      ['workspace.orphans', 'ok'],
      ['workspace.supervisor', 'ok'],
    ]);
    expect(byId(checks, 'workspace.log').summary).toBe('the log replays (12 events)');
  });

  it('a log that does not replay, with its own hint as the fix', () => {
    const check = byId(
      workspaceChecks(
        workspace({
          log: { ok: false, message: 'events.jsonl line 6: not valid JSON', hint: 'truncate -s 10 x' },
        }),
      ),
      'workspace.log',
    );
    expect(check).toMatchObject({
      status: 'fail',
      summary: 'events.jsonl line 6: not valid JSON',
      fix: 'truncate -s 10 x',
    });
  });

  it('stale locks: a holder that is gone, or a file that names none; a live holder is fine', () => {
    const file = (name: string) => `${ROOT}/.work/${name}`;
    const checks = workspaceChecks(
      workspace({
        locks: [
          { name: 'effects.lock', file: file('effects.lock'), pid: 4242, alive: false, since: 0 },
          { name: 'monitor.lock', file: file('monitor.lock'), pid: 77, alive: true, since: 0 },
          { name: 'events.lock', file: file('events.lock'), pid: null, alive: null, since: 999_000 },
        ],
      }),
    );
    const locks = byId(checks, 'workspace.locks');
    expect(locks).toMatchObject({
      status: 'fail',
      summary: 'stale lock: effects.lock',
      fix: 'rm .work/effects.lock',
    });
    expect(locks.details).toEqual(['.work/effects.lock is held by pid 4242, which is gone']);
    const old = workspaceChecks(
      workspace({
        locks: [{ name: 'events.lock', file: file('events.lock'), pid: null, alive: null, since: 0 }],
      }),
    );
    expect(byId(old, 'workspace.locks').fix).toBe('rm .work/events.lock');
    const held = workspaceChecks(
      workspace({
        locks: [{ name: 'monitor.lock', file: file('monitor.lock'), pid: 77, alive: true, since: 0 }],
      }),
    );
    expect(byId(held, 'workspace.locks')).toMatchObject({
      status: 'ok',
      summary: 'no stale lock; held now: monitor.lock (pid 77)',
    });
  });

  it('orphans: a branch, a worktree and a tmux session of no stage, each with its fix', () => {
    const check = byId(
      workspaceChecks(
        workspace({
          branches: ['flux/api', 'flux/gone'],
          worktreeDirs: ['api', 'old'],
          tmuxSessions: ['flux-api', 'flux-stale'],
          tmuxSocket: 'work',
        }),
      ),
      'workspace.orphans',
    );
    expect(check.status).toBe('fail');
    expect(check.summary).toBe('orphans: 1 worktree, 1 branch, 1 tmux session');
    expect(check.details).toEqual([
      'worktree .worktrees/old: no stage of that id',
      'branch flux/gone: no stage of that id',
      "tmux session flux-stale: no live session of Flux's runs in it",
    ]);
    expect(check.fix).toBe(
      "flux worktree clean; git branch -d flux/gone; tmux -L work kill-session -t '=flux-stale'",
    );
  });

  it('no workspace is nothing to fix; a config.toml without a log says `flux task init`', () => {
    expect(workspaceChecks(workspace({ present: false }))).toMatchObject([{ status: 'skip' }]);
    expect(workspaceChecks(workspace({ present: false, configWithoutLog: true }))).toMatchObject([
      { status: 'fail', fix: 'flux task init' },
    ]);
    expect(workspaceChecks(workspace({ root: null }))[0]!.summary).toContain('not inside a git repository');
  });

  it('an invalid config is to fix; the supervisor is reported', () => {
    const checks = workspaceChecks(
      workspace({
        configError: { message: 'config.toml: run.max_parallel: too big' },
        supervisor: { running: true, pid: 9, since: 'then', version: '0.1.0' },
      }),
    );
    expect(byId(checks, 'workspace.config')).toMatchObject({
      status: 'fail',
      summary: 'config.toml: run.max_parallel: too big',
    });
    expect(byId(checks, 'workspace.supervisor').summary).toBe(
      'supervisor running: pid 9, since then (Flux 0.1.0)',
    );
  });
});

describe('together', () => {
  it('exit 1 only when a check failed; warnings and skips are not to fix', () => {
    const facts: DoctorFacts = {
      git: { found: true, output: 'git version 2.39.5' },
      tmux: { found: true, output: 'tmux 3.3a' },
      hosts: [],
      agent: { kind: 'claude', ...claude({ version: { found: true, output: '3.0.0' } }) },
      workspace: workspace({ present: false }),
    };
    const checks = doctorChecks(facts, HOME);
    expect(checks.map((c) => c.group)).toEqual([
      'tools',
      'tools',
      'agent',
      'agent',
      'agent',
      'agent',
      'agent',
      'agent',
      'workspace',
    ]);
    expect(needsFixing(checks)).toBe(false);
    expect(
      needsFixing(doctorChecks({ ...facts, agent: { kind: 'claude', ...claude({ path: null }) } }, HOME)),
    ).toBe(true);
  });
});
