// `flux doctor` with the real claude: a workspace set up as the e2e rig sets
// one up (the cached binary, a key helper, onboarding done, the repository
// trusted) is all good; the same claude with a fresh HOME (no .claude.json)
// and no key has its onboarding, trust and key named with their fixes; no
// claude at all is named with how to install it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { announceSkip, claudeSkipReason, fluxE2E, planDocument, type E2E } from './harness.js';

const reason = claudeSkipReason();
announceSkip('flux doctor with the real claude', reason);

interface DoctorJson {
  ok: boolean;
  checks: { id: string; status: string; summary: string; fix?: string }[];
}

const PLAN = planDocument(
  'Doctor',
  `    - id: only
      name: "Only stage"
      acceptance: ["true"]
      files: ["*.txt"]`,
);

describe.skipIf(reason !== undefined)('flux doctor with the real claude', () => {
  let e2e: E2E;
  let config: string;
  let original: string;
  beforeAll(async () => {
    e2e = await fluxE2E({ plan: PLAN, scenario: [] });
    config = path.join(e2e.root, '.work', 'config.toml');
    original = readFileSync(config, 'utf8');
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  const doctor = async (): Promise<{ exitCode: number; json: DoctorJson; text: string }> => {
    const text = await e2e.flux(['doctor']);
    const json = await e2e.flux(['doctor', '--json']);
    process.stdout.write(`--- flux doctor\n${text.stdout}`);
    return { exitCode: json.exitCode, json: JSON.parse(json.stdout) as DoctorJson, text: text.stdout };
  };
  const status = (json: DoctorJson, id: string) => json.checks.find((c) => c.id === id);

  test('set up as the rig is: every check ✓, exit 0; the version is the binary’s own', async () => {
    writeFileSync(config, original);
    const { exitCode, json, text } = await doctor();
    expect(
      json.checks.filter((c) => c.status === 'fail'),
      text,
    ).toEqual([]);
    expect(exitCode).toBe(0);
    expect(status(json, 'agent.version')?.summary).toMatch(/^claude \d+\.\d+\.\d+ /);
    expect(status(json, 'agent.key')?.status).toBe('ok');
    expect(status(json, 'agent.trust')?.status).toBe('ok');
    expect(text).toMatch(/All good\.\n$/);
  });

  test('a fresh HOME and no key: key and first run (with the trust) named, each with its fix; exit 1', async () => {
    const fresh = path.join(e2e.home, '..', 'fresh-home');
    mkdirSync(path.join(fresh, '.claude'), { recursive: true });
    writeFileSync(
      config,
      original
        .replace(/^HOME = .*$/m, `HOME = ${JSON.stringify(fresh)}`)
        .replace(
          /^CLAUDE_CONFIG_DIR = .*$/m,
          `CLAUDE_CONFIG_DIR = ${JSON.stringify(path.join(fresh, '.claude'))}`,
        )
        .replace(/^settings = \{ apiKeyHelper = [^,]*, /m, 'settings = { '),
    );
    const { exitCode, json } = await doctor();
    expect(exitCode).toBe(1);
    expect(status(json, 'agent.version')?.status).toBe('ok');
    for (const id of ['agent.key', 'agent.onboarding']) {
      const check = status(json, id);
      expect(check?.status, id).toBe('fail');
      expect(check?.fix, id).toBeTruthy();
    }
    // With no .claude.json at all, the first run's questions and the folder's trust are one step.
    expect(status(json, 'agent.onboarding')?.fix).toContain('"Yes, I trust this folder"');
  });

  test('no claude at all: the program is named with how to install it; exit 1', async () => {
    writeFileSync(config, original.replace(/^command = .*claude.*$/m, 'command = "/nonexistent/claude"'));
    const { exitCode, json } = await doctor();
    expect(exitCode).toBe(1);
    const program = status(json, 'agent.program');
    expect(program?.status).toBe('fail');
    expect(program?.fix).toMatch(/npm install -g @anthropic-ai\/claude-code/);
    writeFileSync(config, original);
  });
});
