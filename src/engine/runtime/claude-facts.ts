/**
 * What claude will find when a session starts, read from disk the way
 * Claude Code reads it (seen in 2.1.197): its config file
 * `$CLAUDE_CONFIG_DIR/.claude.json`, else `~/.claude.json` (a legacy
 * `<config dir>/.config.json` wins when it exists); its login in
 * `<config dir>/.credentials.json`; the user's `<config dir>/settings.json`.
 * HOME and CLAUDE_CONFIG_DIR are the session's: `[claude.env]` over this
 * process's environment. Synchronous and cheap, so `flux run` can ask before
 * every start; `--version` is asked only by `flux doctor`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FluxConfig } from '../config.js';
import {
  KEY_VARIABLES,
  type ClaudeConfigJson,
  type ClaudeFacts,
  type EnvSource,
  type VersionFact,
} from '../doctor/types.js';
import { locateProgram } from './program.js';

/** The environment a session of the config gets: this process's, then `[claude.env]`. */
export function sessionEnv(config: FluxConfig, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, ...config.claude.env };
}

/** The session's HOME, for `~` in messages. */
export function sessionHome(config: FluxConfig, env: NodeJS.ProcessEnv = process.env): string {
  return sessionEnv(config, env).HOME || os.homedir();
}

/** Claude Code's config folder and its config file, for a session environment. */
export function claudePaths(env: NodeJS.ProcessEnv): { configDir: string; configFile: string } {
  const home = env.HOME || os.homedir();
  const custom = env.CLAUDE_CONFIG_DIR || undefined;
  const configDir = custom ?? path.join(home, '.claude');
  const legacy = path.join(configDir, '.config.json');
  const configFile = existsSync(legacy) ? legacy : path.join(custom ?? home, '.claude.json');
  return { configDir, configFile };
}

/** A JSON file: its content, null when missing, or why it cannot be read. */
function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : `${code ?? 'unreadable'}`;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `--model <m>` or `--model=<m>` in extra_args. */
function modelArg(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--model') return args[i + 1];
    if (arg.startsWith('--model=')) return arg.slice('--model='.length);
  }
  return undefined;
}

function autoCompactWindow(config: FluxConfig, env: NodeJS.ProcessEnv): number | null {
  const setting = config.claude.settings.autoCompactWindow;
  if (typeof setting === 'number' && setting > 0) return setting;
  const fromEnv = Number(env.CLAUDE_CODE_AUTO_COMPACT_WINDOW);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : null;
}

/** Everything but `--version`: what `flux run` checks before it starts claude sessions. */
export function gatherClaudeFacts(
  config: FluxConfig,
  root: string | null,
  env: NodeJS.ProcessEnv = process.env,
): ClaudeFacts {
  const agentEnv = sessionEnv(config, env);
  const { configDir, configFile } = claudePaths(agentEnv);
  const json = readJson(configFile);
  const configJson: ClaudeFacts['config'] =
    json === null || typeof json === 'string'
      ? json
      : isObject(json)
        ? (json as ClaudeConfigJson)
        : 'not a JSON object';
  const credentials = readJson(path.join(configDir, '.credentials.json'));
  const oauth = isObject(credentials) ? credentials.claudeAiOauth : undefined;
  const userSettings = readJson(path.join(configDir, 'settings.json'));
  const keyEnv: ClaudeFacts['env'] = {};
  for (const name of KEY_VARIABLES) {
    const own = config.claude.env[name];
    const source: EnvSource = own !== undefined ? 'claude.env' : 'environment';
    const value = own ?? env[name];
    if (value !== undefined && value !== '') keyEnv[name] = { source, value };
  }
  const helper = (settings: unknown) =>
    isObject(settings) && typeof settings.apiKeyHelper === 'string' && settings.apiKeyHelper.trim() !== '';
  return {
    command: config.claude.command,
    path: locateProgram(config.claude.command, env.PATH ?? ''),
    root,
    configFile,
    config: configJson,
    configDir,
    credentialsLogin: isObject(oauth) && typeof oauth.accessToken === 'string' && oauth.accessToken !== '',
    fluxApiKeyHelper: helper(config.claude.settings),
    userApiKeyHelper: helper(userSettings),
    env: keyEnv,
    model: config.claude.model || modelArg(config.claude.extra_args) || agentEnv.ANTHROPIC_MODEL || '',
    autoCompactWindow: autoCompactWindow(config, agentEnv),
    handoffThreshold: config.run.handoff_threshold,
  };
}

const VERSION_TIMEOUT_MS = 15_000;

/** `<program> --version` in the session's environment; what it printed, or why it failed. */
export function programVersion(program: string, env: NodeJS.ProcessEnv): Promise<VersionFact> {
  return new Promise((resolve) => {
    execFile(
      program,
      ['--version'],
      { env, timeout: VERSION_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ found: true, output: stdout.trim() });
        const code = (error as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? 'not installed (or not on PATH)'
            : error.killed
              ? `no answer within ${VERSION_TIMEOUT_MS / 1000} s`
              : (stderr.trim().split('\n')[0] ?? '') || `exited ${String(code)}`;
        resolve({ found: false, error: why });
      },
    );
  });
}
