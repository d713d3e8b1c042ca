// An isolated environment for one or more `claude` processes: a temp HOME and
// config dir (onboarding done, the given project dirs trusted), the scripted
// model server as API, a key from `apiKeyHelper` (no login, no key dialog), and
// a settings file whose hooks and status line feed the hook recorder.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOOK_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PermissionRequest',
  'Notification',
  'Stop',
  'StopFailure',
  'PreCompact',
  'PostCompact',
  'SessionEnd',
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export const RECORDER = join(dirname(fileURLToPath(import.meta.url)), 'hook-recorder.mjs');

export interface ClaudeEnvOptions {
  /** The model server's URL (ANTHROPIC_BASE_URL). */
  baseUrl: string;
  /** Directories (repos, worktrees) whose trust dialog counts as accepted. */
  projectDirs: string[];
  /** Extra settings merged over the generated hooks/statusLine/apiKeyHelper. */
  settings?: Record<string, unknown>;
  /** Timeout (s) of every hook; PermissionRequest answers may need a long one. */
  hookTimeout?: number;
  /** Status-line refresh timer in seconds (undefined: only event-driven). */
  statusRefresh?: number;
  /** More environment variables for claude (e.g. CLAUDE_CODE_AUTO_COMPACT_WINDOW). */
  extraEnv?: Record<string, string>;
}

export interface ClaudeEnv {
  root: string;
  home: string;
  configDir: string;
  /** Where the recorder writes events.jsonl and reads answers/<event>.json. */
  recordDir: string;
  settingsPath: string;
  /** Environment for the claude process (PATH etc. inherited from this one). */
  env: Record<string, string>;
  /** Trust one more directory (e.g. a worktree created after setup). */
  trust(dir: string): void;
  cleanup(): void;
}

function hookCommand(event: string, recordDir: string): string {
  return `${JSON.stringify(process.execPath)} ${JSON.stringify(RECORDER)} ${event} ${JSON.stringify(recordDir)}`;
}

export function buildSettings(
  recordDir: string,
  opts: Pick<ClaudeEnvOptions, 'hookTimeout' | 'statusRefresh'>,
) {
  const timeout = opts.hookTimeout ?? 30;
  const hooks = Object.fromEntries(
    HOOK_EVENTS.map((event) => [
      event,
      [{ matcher: '', hooks: [{ type: 'command', command: hookCommand(event, recordDir), timeout }] }],
    ]),
  );
  const statusLine: Record<string, unknown> = {
    type: 'command',
    command: hookCommand('statusLine', recordDir),
  };
  if (opts.statusRefresh !== undefined) statusLine.refreshInterval = opts.statusRefresh;
  return { apiKeyHelper: 'echo sk-ant-api03-e2e-rig-offline-key', hooks, statusLine };
}

export function createClaudeEnv(opts: ClaudeEnvOptions): ClaudeEnv {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'flux-e2e-env-')));
  const home = join(root, 'home');
  const configDir = join(home, '.claude');
  const recordDir = join(root, 'record');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(join(recordDir, 'answers'), { recursive: true });

  const trusted = new Set<string>();
  const writeConfig = () => {
    const projects = Object.fromEntries(
      [...trusted].map((d) => [d, { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true }]),
    );
    const config = JSON.stringify({ hasCompletedOnboarding: true, projects }, null, 2);
    // With CLAUDE_CONFIG_DIR set the file lives inside it; without, in HOME.
    writeFileSync(join(configDir, '.claude.json'), config);
    writeFileSync(join(home, '.claude.json'), config);
  };
  const trust = (dir: string) => {
    trusted.add(realpathSync(dir));
    writeConfig();
  };
  opts.projectDirs.forEach(trust);
  writeConfig();

  const settingsPath = join(root, 'settings.json');
  const settings = { ...buildSettings(recordDir, opts), ...opts.settings };
  writeFileSync(settingsPath, JSON.stringify(settings, null, 2));

  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      // Nothing of an outer Claude Code or tmux session may leak into the rig.
      ([k, v]) => v !== undefined && !/^(ANTHROPIC_|CLAUDE|TMUX)/.test(k),
    ),
  ) as Record<string, string>;
  const env: Record<string, string> = {
    ...inherited,
    HOME: home,
    CLAUDE_CONFIG_DIR: configDir,
    ANTHROPIC_BASE_URL: opts.baseUrl,
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    TERM: 'xterm-256color',
    ...opts.extraEnv,
  };

  return {
    root,
    home,
    configDir,
    recordDir,
    settingsPath,
    env,
    trust,
    cleanup: () => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }),
  };
}
