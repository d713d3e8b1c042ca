import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config.js';
import { findProgram, retryWhileServerExits } from '../../src/engine/runtime.js';
import { ConfigError, ExternalError, RefusedError } from '../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'flux-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('retryWhileServerExits', () => {
  it('asks again while tmux says its server exited, then succeeds', async () => {
    let calls = 0;
    await retryWhileServerExits(async () => {
      calls++;
      if (calls < 3) throw new ExternalError('tmux new-session failed: server exited unexpectedly');
    });
    expect(calls).toBe(3);
  });

  it('gives up after its attempts, and never retries other failures', async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new ExternalError('server exited unexpectedly');
    };
    await expect(retryWhileServerExits(failing, 2)).rejects.toThrow('server exited');
    expect(calls).toBe(2);
    calls = 0;
    await expect(
      retryWhileServerExits(async () => {
        calls++;
        throw new RefusedError('duplicate session: flux-a');
      }),
    ).rejects.toThrow('duplicate session');
    expect(calls).toBe(1);
  });
});

describe('findProgram', () => {
  it('finds executables by path or on PATH, and nothing else', () => {
    const exe = path.join(dir, 'agent');
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(exe, 0o755);
    const plain = path.join(dir, 'plain');
    writeFileSync(plain, 'not executable');
    expect(findProgram(exe)).toBe(true);
    expect(findProgram(plain)).toBe(false);
    expect(findProgram('sh')).toBe(true);
    expect(findProgram('no-such-program-flux-test')).toBe(false);
  });
});

describe('run.agent in the config', () => {
  const config = (agent: string, extra = '') => `[plan]\npath = "p.md"\n[run]\nagent = "${agent}"\n${extra}`;

  it('accepts claude, sim and the command agents it defines', () => {
    expect(parseConfig(config('claude'), 'c.toml').run.agent).toBe('claude');
    expect(parseConfig(config('sim'), 'c.toml').run.agent).toBe('sim');
    expect(
      parseConfig(config('aider', '[agents.aider]\ncommand = ["aider"]\n'), 'c.toml').agents.aider?.command,
    ).toEqual(['aider']);
  });

  it('refuses an agent it does not know, naming the setting and the known ones (exit 2)', () => {
    expect(() => parseConfig(config('foo'), 'c.toml')).toThrow(ConfigError);
    expect(() => parseConfig(config('foo'), 'c.toml')).toThrow(
      "c.toml: run.agent: unknown agent 'foo' (known: claude, sim)",
    );
  });
});

describe('config: setup and copy settings', () => {
  const base = '[plan]\npath = "p.md"\n';

  it('defaults: no task setup, nothing copied, 600 s per setup command', () => {
    const config = parseConfig(base, 'c.toml');
    expect(config.task.setup).toEqual([]);
    expect(config.worktree.copy).toEqual([]);
    expect(config.run.setup_timeout).toBe(600);
  });

  it('refuses an empty setup command or copy pattern, and a setup_timeout below 1, naming the setting (exit 2)', () => {
    expect(() => parseConfig(`${base}[task]\nsetup = ["npm ci", " "]\n`, 'c.toml')).toThrow(
      'c.toml: task.setup.1: a setup command is empty',
    );
    expect(() => parseConfig(`${base}[worktree]\ncopy = [""]\n`, 'c.toml')).toThrow(
      'c.toml: worktree.copy.0: a copy pattern is empty',
    );
    expect(() => parseConfig(`${base}[run]\nsetup_timeout = 0\n`, 'c.toml')).toThrow(/run\.setup_timeout/);
    expect(() => parseConfig(`${base}[worktree]\ncopy = "node_modules/"\n`, 'c.toml')).toThrow(ConfigError);
  });
});
