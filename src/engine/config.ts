/**
 * `.work/config.toml`: the user's settings. `flux init` writes it once with
 * every setting at its default and a comment saying what it does; after that
 * it belongs to the user and Flux only reads it.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { OVERRIDE_ENV } from '../agents/protocol.js';
import { ConfigError } from '../errors.js';
import { MERGE_DEFAULTS, RUN_DEFAULTS } from './defaults.js';
import { hostsSchema, LOCAL_HOST } from './hosts.js';

const agentCommandSchema = z
  .object({
    /** argv; `{prompt}` is replaced by the stage's first prompt, `{prompt_file}` by a file holding it. */
    command: z.array(z.string()).min(1),
  })
  .strict();

export const configSchema = z
  .object({
    plan: z.object({ path: z.string() }).strict(),
    run: z
      .object({
        base_branch: z.string().default(''),
        max_parallel: z.number().int().min(1).max(64).default(RUN_DEFAULTS.max_parallel),
        agent: z.string().default('claude'),
        handoff_threshold: z.number().min(1).max(100).default(RUN_DEFAULTS.handoff_threshold),
        acceptance_timeout: z.number().int().min(1).default(RUN_DEFAULTS.acceptance_timeout),
        setup_timeout: z.number().int().min(1).default(RUN_DEFAULTS.setup_timeout),
        stop_reminders: z.number().int().min(0).max(8).default(RUN_DEFAULTS.stop_reminders),
        permission_wait: z.number().int().min(0).max(86_400).default(RUN_DEFAULTS.permission_wait),
        /** Where stages run: `local` (this machine) and names of `[hosts.<name>]`, filled in this order (docs/hosts.md). */
        hosts: z.array(z.string()).min(1, 'name at least one machine, e.g. ["local"]').default([LOCAL_HOST]),
      })
      .strict()
      .prefault({}),
    claude: z
      .object({
        command: z.string().default('claude'),
        permission_mode: z
          .enum(['acceptEdits', 'default', 'plan', 'auto', 'dontAsk', 'bypassPermissions'])
          .default('acceptEdits'),
        model: z.string().default(''),
        extra_args: z.array(z.string()).default([]),
        allowed_tools: z.array(z.string()).default([]),
        env: z.record(z.string(), z.string()).default({}),
        settings: z.record(z.string(), z.unknown()).default({}),
      })
      .strict()
      .prefault({}),
    tmux: z
      .object({
        socket: z.string().default(''),
        session_prefix: z.string().default('flux-'),
      })
      .strict()
      .prefault({}),
    /** Ad hoc tasks (`flux task run`): `{project}` and `{id}` are replaced. */
    task: z
      .object({
        worktree: z.string().min(1).default('../{project}-{id}'),
        branch: z.string().min(1).default('feature/{id}'),
        session: z.string().min(1).default('flux-{project}-{id}'),
        acceptance: z.array(z.string()).default([]),
        /** Commands run in a task's new worktree before its agent starts. */
        setup: z.array(z.string().trim().min(1, 'a setup command is empty')).default([]),
      })
      .strict()
      .prefault({}),
    /** What a new worktree gets besides the checkout (docs/setup.md). */
    worktree: z
      .object({
        /** gitignore-style patterns of ignored files copied from the main worktree, with `.worktreeinclude`'s. */
        copy: z.array(z.string().trim().min(1, 'a copy pattern is empty')).default([]),
      })
      .strict()
      .prefault({}),
    /** Default stage budgets (docs/budgets.md); 0 is no limit. */
    budget: z
      .object({
        usd: z.number().min(0).default(0),
        minutes: z.number().min(0).default(0),
        tokens: z.number().int().min(0).default(0),
      })
      .strict()
      .prefault({}),
    /** What happens when a stage cannot land: a conflict, or checks that fail on the merged tree (docs/merge-queue.md). */
    merge: z
      .object({
        resolve: z.enum(['agent', 'manual']).default(MERGE_DEFAULTS.resolve),
        resolve_attempts: z.number().int().min(0).max(20).default(MERGE_DEFAULTS.resolve_attempts),
      })
      .strict()
      .prefault({}),
    agents: z.record(z.string(), agentCommandSchema).default({}),
    /** Machines reached over SSH (docs/hosts.md). */
    hosts: hostsSchema,
    /** Per-stage settings of this checkout, never in the plan people share: `host` pins a stage to a machine. */
    stages: z.record(z.string(), z.object({ host: z.string().min(1) }).strict()).default({}),
    /** How a person is told they are needed (docs/notify.md). */
    notify: z
      .object({
        bell: z.boolean().default(true),
        tmux: z.boolean().default(true),
        desktop: z.boolean().default(false),
        /** argv; `{title}`, `{message}`, `{stage}` and `{kind}` are replaced. Empty: none. */
        command: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type FluxConfig = z.infer<typeof configSchema>;

/**
 * The tmux socket Flux's sessions run on: `override` (the demo's, a test's),
 * else FLUX_TMUX_SOCKET, else `tmux.socket` of the config (read only then);
 * undefined is the user's own server.
 */
export function chooseTmuxSocket(config: () => FluxConfig, override?: string): string | undefined {
  const socket = override ?? process.env[OVERRIDE_ENV.tmuxSocket] ?? config().tmux.socket;
  return socket === '' ? undefined : socket;
}

export function parseConfig(text: string, file: string): FluxConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`${file}: ${message}`, 'fix the TOML syntax and run the command again');
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.');
    const detail =
      issue.code === 'unrecognized_keys' ? `unknown setting ${issue.keys.join(', ')}` : issue.message;
    throw new ConfigError(
      `${file}: ${field === '' ? '' : `${field}: `}${detail}`,
      'see docs/config.md for every setting and its default',
    );
  }
  const agent = result.data.run.agent;
  if (agent !== 'claude' && agent !== 'sim' && result.data.agents[agent] === undefined) {
    const known = ['claude', 'sim', ...Object.keys(result.data.agents)].join(', ');
    throw new ConfigError(
      `${file}: run.agent: unknown agent '${agent}' (known: ${known})`,
      `set run.agent to one of them, or define it under [agents.${agent}] with a command`,
    );
  }
  checkHostNames(result.data, file);
  return result.data;
}

/** Every machine `run.hosts` and `[stages.<id>] host` name is `local` or a `[hosts.<name>]`. */
function checkHostNames(config: FluxConfig, file: string): void {
  const known = [LOCAL_HOST, ...Object.keys(config.hosts)];
  const unknown = (name: string) => !known.includes(name);
  const fix = (name: string) =>
    `define [hosts.${name}] in ${file} (docs/hosts.md), or use one of: ${known.join(', ')}`;
  config.run.hosts.forEach((name, index) => {
    if (unknown(name))
      throw new ConfigError(
        `${file}: run.hosts.${index}: unknown host '${name}' (known: ${known.join(', ')})`,
        fix(name),
      );
  });
  if (new Set(config.run.hosts).size !== config.run.hosts.length)
    throw new ConfigError(`${file}: run.hosts: a machine is named twice`, 'name each machine once');
  for (const [stage, settings] of Object.entries(config.stages)) {
    if (unknown(settings.host))
      throw new ConfigError(
        `${file}: stages.${stage}.host: unknown host '${settings.host}' (known: ${known.join(', ')})`,
        fix(settings.host),
      );
  }
}

export function loadConfig(configPath: string): FluxConfig {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    throw new ConfigError(`cannot read ${configPath}`, 'run `flux init <plan-path>` to create it');
  }
  return parseConfig(text, configPath);
}

/**
 * The `[budget]` defaults for a view (`flux status`, `flux task list`, the
 * dashboard): a config that cannot be read or is invalid gives none, since a
 * view must still show the rest. Commands that act on budgets load the config.
 */
export function budgetDefaultsAt(configPath: string): FluxConfig['budget'] | Record<string, never> {
  try {
    return loadConfig(configPath).budget;
  } catch (error) {
    if (error instanceof ConfigError) return {};
    throw error;
  }
}

/** The config file `flux init` writes: every setting, its default, what it does. */
export function defaultConfigToml(planPath: string, baseBranch: string | null): string {
  return `# Flux settings for this repository. Flux reads this file and never rewrites it.
# Every setting is shown with its default; docs/config.md explains each one.

[plan]
# The plan document, relative to the repository root.
path = ${JSON.stringify(planPath)}

[run]
# Stages fork from and merge back into this branch (the branch checked out at \`flux init\`).
base_branch = ${JSON.stringify(baseBranch ?? '')}
# How many agent sessions run at once (\`flux run --max-parallel\` overrides it).
max_parallel = ${RUN_DEFAULTS.max_parallel}
# Which agent works on stages: "claude", "sim" (the built-in simulated agent),
# or the name of a command agent defined under [agents.<name>].
agent = "claude"
# At this context usage (percent) a session is asked to write a handoff and a fresh one continues.
handoff_threshold = ${RUN_DEFAULTS.handoff_threshold}
# Seconds each acceptance command may run before it is stopped and counted as failed.
acceptance_timeout = ${RUN_DEFAULTS.acceptance_timeout}
# Seconds each setup command (the plan's \`setup\`) may run in a new worktree before it is
# stopped and the stage fails.
setup_timeout = ${RUN_DEFAULTS.setup_timeout}
# How many times a session that stops without \`flux done\` or \`flux handoff\` is reminded.
stop_reminders = ${RUN_DEFAULTS.stop_reminders}
# Seconds a permission question waits for \`flux approve\` / \`flux deny\` before Claude Code's
# own dialog in the pane is left to decide (it can always be answered there too).
permission_wait = ${RUN_DEFAULTS.permission_wait}
# Where stages run, filled in this order: "local" (this machine) and hosts defined under
# [hosts.<name>] (docs/hosts.md). A stage is pinned with [stages.<id>] host = "<name>".
hosts = ["local"]

[claude]
# The Claude Code executable.
command = "claude"
# acceptEdits: file edits are allowed, other tools only from the allow-list Flux builds
# from the plan. "bypassPermissions" skips every permission check: opt in knowingly.
permission_mode = "acceptEdits"
# Model for the sessions; empty means Claude Code's own default.
model = ""
# More arguments for every \`claude\` invocation.
extra_args = []
# Tools allowed on top of the plan's allow-list, in Claude Code's syntax, e.g. "Bash(npm run lint:*)".
allowed_tools = []
# Extra settings merged into the settings file Flux gives each session (e.g. apiKeyHelper).
settings = {}

[claude.env]
# Environment for every session, e.g. ANTHROPIC_BASE_URL = "https://…"

[tmux]
# tmux server socket name (tmux -L); empty means your default tmux server.
socket = ""
# Each stage runs in the tmux session <session_prefix><stage-id>.
session_prefix = "flux-"

[task]
# Ad hoc tasks (\`flux task run "<description>"\`); {project} is the repository's folder name,
# {id} the task id. The worktree path is relative to the repository root.
worktree = "../{project}-{id}"
branch = "feature/{id}"
# The tmux session a task gets when \`flux task run\` is not run inside tmux.
session = "flux-{project}-{id}"
# Commands \`flux done\` runs in a task's worktree (e.g. ["npm test", "npm run lint"]).
acceptance = []
# Commands run in a task's new worktree before its agent starts (e.g. ["npm ci"]).
setup = []

[worktree]
# Files git ignores that each new worktree gets a copy of, from the main worktree, in
# gitignore syntax (e.g. [".env", "node_modules/"]), on top of those .worktreeinclude lists.
# docs/setup.md says what is copied.
copy = []

[notify]
# Each time a person is needed (a review, a permission question, a crash past its restarts,
# a conflict) and when the plan is done, Flux tells them, once per event:
# ring the terminal bell in \`flux ui\`,
bell = true
# show a message on your own tmux client (tmux display-message),
tmux = true
# a desktop notification (notify-send, or osascript on macOS),
desktop = false
# and run this command: an argument list where {title}, {message}, {stage} and {kind} are
# replaced, e.g. ["ntfy", "publish", "my-topic", "{title}: {message}"].
command = []

[merge]
# A stage that conflicts with the base, or whose merged tree fails the checks, goes back to
# its agent with what went wrong ("agent"), or a conflict waits for you ("manual").
resolve = "${MERGE_DEFAULTS.resolve}"
# How many times a stage goes back to its agent before it waits for you.
resolve_attempts = ${MERGE_DEFAULTS.resolve_attempts}

[budget]
# What a stage may spend before it waits for you, unless its own \`budget\` in the plan says
# otherwise (0: no limit): US dollars (the agent's own cost figure), minutes of its sessions'
# wall time, tokens (input + output). At 80% you are told; at 100% its session is asked to
# commit, write a handoff and stop, and \`flux budget <stage> --usd N\` lets it go on.
usd = 0
minutes = 0
tokens = 0

# A command agent (no hooks; liveness from tmux, done through \`flux done\`):
# [agents.aider]
# command = ["aider", "--message-file", "{prompt_file}"]
`;
}
