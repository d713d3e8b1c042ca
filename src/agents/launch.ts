/**
 * What runs in a stage's tmux pane, for each kind of agent. Pure: the
 * runtime writes the files this returns and starts the argv in tmux.
 *
 * Every agent runs under a small sh wrapper that records the session as
 * ended or crashed the moment the agent process exits, so a dead agent is
 * noticed at once rather than on the next liveness check.
 */
import path from 'node:path';
import type { FluxConfig } from '../engine/config.js';
import type { StageDef } from '../plan/types.js';
import { shellJoin } from '../effects/tmux.js';
import { ENV, HOOK_NAMES } from './protocol.js';

export interface LaunchInput {
  config: FluxConfig;
  /** The agent kind: `claude`, `sim` or a key of `config.agents`. */
  agent: string;
  stage: StageDef;
  session: string;
  /** The agent's own session id, when it takes one (claude `--session-id`). */
  agentSessionId: string;
  worktree: string;
  workDir: string;
  /** argv prefix that runs Flux: node and dist/cli/main.js. */
  flux: readonly string[];
  /** The first prompt, and the file it is also written to. */
  prompt: string;
  promptFile: string;
  /** Appended to the agent's system prompt (claude). */
  rules: string;
  /** Tools allowed on top of the stage's (a resolver session's `git merge` and the merge checks). */
  extraTools?: readonly string[];
}

export interface LaunchSpec {
  argv: string[];
  env: Record<string, string>;
  /** Files to write before starting, by absolute path. */
  files: Map<string, string>;
}

export function agentDir(workDir: string, session: string): string {
  return path.join(workDir, 'agents', session);
}

/** The argv prefix of a `flux` call from inside an agent session's shell. */
export function fluxShim(flux: readonly string[]): string {
  return `#!/bin/sh\nexec ${shellJoin(flux)} "$@"\n`;
}

function sessionEnv(input: LaunchInput): Record<string, string> {
  return {
    [ENV.session]: input.session,
    [ENV.stage]: input.stage.id,
    [ENV.workDir]: input.workDir,
    [ENV.fluxCommand]: JSON.stringify(input.flux),
    // Read by `flux hook`, which must not load the config file on every turn.
    [ENV.handoffThreshold]: String(input.config.run.handoff_threshold),
    [ENV.stopReminders]: String(input.config.run.stop_reminders),
    [ENV.permissionWait]: String(input.config.run.permission_wait),
    [ENV.budgetUsd]: String(input.config.budget.usd),
    [ENV.budgetMinutes]: String(input.config.budget.minutes),
    [ENV.budgetTokens]: String(input.config.budget.tokens),
    // `flux` on PATH inside the session, whatever the user's install.
    PATH: `${path.join(input.workDir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  };
}

/** Tools a stage's claude session may use without asking, built from the plan. */
export function allowedTools(stage: StageDef, extra: readonly string[]): string[] {
  const tools = [
    ...stage.acceptance.map((command) => `Bash(${command})`),
    'Bash(git add:*)',
    'Bash(git commit:*)',
    'Bash(git status:*)',
    'Bash(git diff:*)',
    'Bash(git log:*)',
    'Bash(flux done)',
    'Bash(flux handoff)',
    'Bash(flux status:*)',
    ...extra,
  ];
  return [...new Set(tools)];
}

/**
 * The argv prefix of a hook call: node and the bundle's own hook entry
 * (dist/bin/hook.js, beside main.js), a single small module, since it runs
 * on every agent turn.
 */
export function hookEntry(flux: readonly string[]): [string, string] {
  const [node, main] = flux;
  return [node ?? process.execPath, path.join(path.dirname(main ?? ''), 'hook.js')];
}

export function hookCommand(flux: readonly string[], name: string): string {
  return shellJoin([...hookEntry(flux), name]);
}

/**
 * The pane runs the agent under a line of sh that, when the agent exits (even
 * by kill -9), reports its exit status through the hook entry: Flux notices a
 * dead agent at once, and the wrapper costs no Node start-up of its own. The
 * script is constant; node, the hook entry and the agent's argv are its
 * positional parameters, never spliced into its text.
 *
 * It also puts `.work/bin` (the `flux` shim) first on PATH: tmux replaces a
 * new session's PATH with the PATH of the client that creates it, so the
 * PATH given with `new-session -e` never reaches the pane, and an agent's
 * `flux done` would not be found.
 */
export const EXIT_REPORTER =
  `PATH="$${ENV.workDir}/bin:$PATH"; export PATH; ` +
  'node=$1 hook=$2; shift 2; "$@"; status=$?; exec "$node" "$hook" AgentExit "$status"';

export function wrapWithExitReport(flux: readonly string[], argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', EXIT_REPORTER, 'flux-agent', ...hookEntry(flux), ...argv];
}

/** Claude Code settings for one session: Flux's hooks and status line (docs/claude-code.md). */
export function claudeSettings(input: LaunchInput): object {
  const hook = (name: string) => hookCommand(input.flux, name);
  const hooks = Object.fromEntries(
    HOOK_NAMES.filter((name) => name !== 'StatusLine').map((name) => [
      name,
      // The permission hook waits for a person's answer; every other hook is quick.
      [
        {
          matcher: '',
          hooks: [
            {
              type: 'command',
              command: hook(name),
              timeout: name === 'PermissionRequest' ? input.config.run.permission_wait + 30 : 30,
            },
          ],
        },
      ],
    ]),
  );
  return {
    ...input.config.claude.settings,
    hooks,
    statusLine: { type: 'command', command: hook('StatusLine'), refreshInterval: 5 },
  };
}

function claudeLaunch(input: LaunchInput): LaunchSpec {
  const { config } = input;
  const settingsFile = path.join(agentDir(input.workDir, input.session), 'settings.json');
  const argv = [
    config.claude.command,
    '--settings',
    settingsFile,
    '--session-id',
    input.agentSessionId,
    '--permission-mode',
    config.claude.permission_mode,
    '--allowedTools',
    ...allowedTools(input.stage, [...(input.extraTools ?? []), ...config.claude.allowed_tools]),
    '--append-system-prompt',
    input.rules,
    // The handoff document goes to .work/handoffs, outside the worktree (its `.work`
    // is a link): without this, writing it waits for a permission answer.
    '--add-dir',
    path.join(input.workDir, 'handoffs'),
    ...(config.claude.model === '' ? [] : ['--model', config.claude.model]),
    ...config.claude.extra_args,
    '--',
    input.prompt,
  ];
  return {
    argv,
    env: { ...sessionEnv(input), ...config.claude.env },
    files: new Map([[settingsFile, JSON.stringify(claudeSettings(input), null, 2) + '\n']]),
  };
}

function simLaunch(input: LaunchInput): LaunchSpec {
  const script = path.join(agentDir(input.workDir, input.session), 'sim-script.json');
  return {
    argv: [...input.flux, 'agent', 'sim', '--script', script, '--prompt-file', input.promptFile],
    // Its hook calls carry this as session_id, as claude's carry its --session-id.
    env: { ...sessionEnv(input), [ENV.agentSessionId]: input.agentSessionId },
    files: new Map(),
  };
}

function commandLaunch(input: LaunchInput, template: readonly string[]): LaunchSpec {
  const argv = template.map((arg) =>
    arg.replaceAll('{prompt_file}', input.promptFile).replaceAll('{prompt}', input.prompt),
  );
  return { argv, env: sessionEnv(input), files: new Map() };
}

/** The argv (wrapped to report the agent's exit), environment and files for one session. */
export function launchSpec(input: LaunchInput): LaunchSpec {
  let spec: LaunchSpec;
  if (input.agent === 'claude') spec = claudeLaunch(input);
  else if (input.agent === 'sim') spec = simLaunch(input);
  else {
    const command = input.config.agents[input.agent];
    if (command === undefined) throw new Error(`unknown agent '${input.agent}'`);
    spec = commandLaunch(input, command.command);
  }
  spec.files.set(path.join(input.workDir, 'bin', 'flux'), fluxShim(input.flux));
  spec.files.set(input.promptFile, input.prompt);
  return { ...spec, argv: wrapWithExitReport(input.flux, spec.argv) };
}
