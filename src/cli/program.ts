/**
 * The command-line surface: every command, its arguments, options and help.
 * Each command's work lives in `commands/<name>.ts`, loaded only when that
 * command runs, so `flux status` does not pay for what `flux init` needs.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { asIoError, ExitCode } from '../errors.js';
import { takeViewFailure } from '../engine/engine.js';
import { EXIT_CODES, exitCodesHelp, groupCodes } from './help-exit-codes.js';
import { printError, terminalWidth, wrap } from './output.js';
// Installs the validating event codec: every command checks the log against the schemas.
import '../log/codec.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commander hands each command its own argument types
type Action = (...args: any[]) => Promise<number | void> | number | void;

/** Defers loading a command module until the command is chosen. */
function lazy(load: () => Promise<{ run: Action }>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const { run } = await load();
    const code = await run(...args.slice(0, -1));
    if (typeof code === 'number') process.exitCode = code;
  };
}

/**
 * `lazy`, for a command only a person may run: refused inside an agent
 * session before the command loads (src/cli/human-only.ts, docs/security.md).
 */
function humanOnly(
  name: string,
  load: () => Promise<{ run: Action }>,
): (...args: unknown[]) => Promise<void> {
  const action = lazy(load);
  return async (...args) => {
    const { refuseInsideAgent } = await import('./human-only.js');
    await refuseInsideAgent(name);
    await action(...args);
  };
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}

function parseSeq(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a sequence number (0 or more)');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('flux')
    .description('Run a plan of Claude Code stages in parallel git worktrees and tmux sessions.')
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Descriptions wrap even beside long option names on a narrow terminal.
    .configureHelp({ sortSubcommands: false, minWidthToWrap: 20 })
    // Help is wrapped to the same width as every listing (COLUMNS, the terminal, else 80).
    .configureOutput({
      getOutHelpWidth: () => terminalWidth(process.stdout),
      getErrHelpWidth: () => terminalWidth(process.stderr),
    });

  program
    .command('demo')
    .description('Run a built-in demo plan end to end with the simulated agent, in a throw-away repository')
    .option('--dir <path>', 'where to create the demo repository (default: a new temporary directory)')
    .action(lazy(() => import('./commands/demo.js')));

  program
    .command('init')
    .description('Validate a plan and create the .work/ workspace (or update it when the plan changed)')
    .argument('<plan-path>', 'the plan document, e.g. doc/plans/PLAN-auth.md')
    .option('--force', 'apply a changed plan (history is kept; started stages cannot disappear)')
    .action(humanOnly('flux init', () => import('./commands/init.js')));

  const planCommand = program
    .command('plan')
    .description('Write or check a plan document before `flux init`');
  planCommand
    .command('new')
    .description(
      'Start claude in plan mode to write doc/plans/PLAN-<slug>.md for a goal; the plan is checked when it appears (or when claude exits)',
    )
    .argument('<goal...>', 'what the plan is for, e.g. "Add OAuth login"')
    .option(
      '--tmux',
      "in a tmux session on Flux's server (flux-plan-<slug>), watched from here, instead of this terminal",
    )
    .option('--slug <slug>', 'the plan is doc/plans/PLAN-<slug>.md (default: a slug of the goal)')
    .action(lazy(() => import('./commands/plan-new.js')));
  planCommand
    .command('check')
    .description(
      'Validate a plan as `flux init` does, and warn about overlapping parallel stages, missing acceptance or files, glob typos and acceptance programs not installed',
    )
    .argument('<plan-path>', 'the plan document, e.g. doc/plans/PLAN-auth.md')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/plan-check.js')));

  program
    .command('run')
    .description(
      'Start every ready stage in its own worktree and tmux session, and watch until a person is needed',
    )
    .option('--stage <id>', 'only this stage')
    .option(
      '--detach',
      'start the supervisor in the background and return (`flux ui` watches, `flux stop` stops)',
    )
    .option('--manual', 'prepare worktrees and signals, and print the command that starts each stage')
    .option(
      '--max-parallel <n>',
      'sessions at once (default: run.max_parallel in .work/config.toml)',
      parsePositiveInt,
    )
    .action(lazy(() => import('./commands/run.js')));

  program
    .command('stop')
    .description('End the supervisor; the sessions keep running in tmux unless --sessions')
    .option('--sessions', 'end every live agent session too')
    .addHelpText('after', '\nExit codes: 0 stopped (or none was running).')
    .action(lazy(() => import('./commands/stop.js')));

  program
    .command('supervise', { hidden: true })
    .description('(internal) The supervisor: the monitor in the background until every stage is merged')
    .action(lazy(() => import('./commands/supervise.js')));

  program
    .command('status')
    .description('Show progress, every stage, its session and context, and what waits on you')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/status.js')));

  program
    .command('doctor')
    .description(
      'Check that git, tmux, the agent (claude: installed, key or login, onboarding, trust, model) and .work/ are ready; each ✗ says how to fix it',
    )
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/doctor.js')));

  program
    .command('ui')
    .description(
      'The dashboard: progress, what waits on you, every stage live; keys approve, review, merge, resume, attach',
    )
    .addHelpText(
      'after',
      note(
        'Keys: ↑/↓ select, enter attach, a/d allow/deny a permission, v review (then a/r), m merge, ' +
          'r resume, l the live pane, g the DAG, ? help, q quit. It needs a terminal.',
      ),
    )
    .action(humanOnly('flux ui', () => import('./commands/ui.js')));

  program
    .command('verify')
    .description(
      'Review a completed stage (acceptance, diff, files outside its globs, merge preview), then approve or reject it',
    )
    .argument('<id>', 'stage id')
    .addOption(
      new Option('--approve', 'approve without asking; approving merges the stage').conflicts('reject'),
    )
    .addOption(
      new Option('--reject', 'reject; the next session of the stage is told --reason').conflicts('approve'),
    )
    .option('--reason <text>', 'why it is rejected (with --reject; asked for on a terminal)')
    .option('--no-merge', 'approve without merging (`flux merge <id>` later)')
    .addHelpText('after', note('Without a terminal, --approve or --reject --reason is required.'))
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux verify', () => import('./commands/verify.js')));

  program
    .command('merge')
    .description('Merge an approved (verified) stage into the base branch; removes its worktree and branch')
    .argument('<id>', 'stage id')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux merge', () => import('./commands/merge.js')));

  program
    .command('resume')
    .description(
      'Start a fresh session for a stage that stopped (dead session, failed, blocked, needs_handoff, rejected)',
    )
    .argument('<id>', 'stage id')
    .addHelpText(
      'after',
      note('The first prompt carries the latest handoff, or the commits already on the branch.'),
    )
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux resume', () => import('./commands/resume.js')));

  const attach = program
    .command('attach')
    .description(
      'Attach this terminal to a live session (detach with Ctrl+B D); `flux attach list` lists them',
    )
    .argument('<target>', 'a stage id, a session id (stage-1.s2) or a tmux session name')
    .action(lazy(() => import('./commands/attach.js')));
  attach
    .command('list')
    .description('The live sessions you can attach to: SESSION, STAGE, STATUS, CONTEXT')
    .option('--json', 'machine-readable output')
    .action(lazy(async () => ({ run: (await import('./commands/attach.js')).list })));

  const sessions = program.command('sessions').description('List or end agent sessions');
  sessions
    .command('list', { isDefault: true })
    .description('Agent sessions with status, agent, tmux session, start and context (live ones by default)')
    .option('--all', 'include ended and crashed sessions')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/sessions.js')));
  sessions
    .command('kill')
    .description(
      'End a session and close its tmux session; the worktree and branch stay (`flux resume` continues)',
    )
    .argument('<target>', 'a session id, a stage id (its current session) or a tmux session name')

    .action(
      humanOnly('flux sessions kill', async () => ({ run: (await import('./commands/sessions.js')).kill })),
    );

  const worktree = program.command('worktree').description('List or clean up stage worktrees');
  worktree
    .command('list', { isDefault: true })
    .description(
      'Every worktree under .worktrees/: stage, branch, state, uncommitted files, commits ahead, merged',
    )
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/worktree.js')));
  worktree
    .command('clean')
    .description(
      'Remove worktrees of merged stages and of stages not in the plan, when nothing in them is uncommitted or unmerged',
    )
    .addHelpText('after', note('It lists what it removed and what it kept, and why; it exits 0 either way.'))
    .action(
      humanOnly('flux worktree clean', async () => ({ run: (await import('./commands/worktree.js')).clean })),
    );

  const task = program
    .command('task')
    .description('Ad hoc tasks, no plan needed: each in its own worktree and tmux pane or session');
  task
    .command('init')
    .description(
      'Create .work/ (config.toml and an empty log) before the first task, so [task] can be set first; keeps a config.toml written by hand',
    )
    .action(lazy(() => import('./commands/task-init.js')));
  task
    .command('run')
    .description(
      'Start a task: a worktree ../<project>-<id> on branch feature/<id>, and an agent there (a new pane inside tmux, else a detached session)',
    )
    .argument('<description...>', 'what to do, e.g. "Add OAuth authentication"')
    .option('--id <id>', 'the task id (default: a slug of the description and random hex, e.g. oauth-a1b2c3)')
    .option('--session', 'a detached tmux session even when run inside tmux')
    .option('--agent <name>', 'claude, sim or an [agents.<name>] command agent (default: run.agent)')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/task-run.js')));
  task
    .command('list')
    .description(
      'Open tasks: state, agent running or not, context, uptime, worktree, branch, and their commands',
    )
    .option('--all', 'include merged tasks')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/task-list.js')));
  task
    .command('status')
    .description(
      "One task: its agent's health, uncommitted changes, commits ahead, the last 15 lines of its pane, next steps",
    )
    .argument('<id>', 'task id')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/task-status.js')));
  task
    .command('cleanup')
    .description(
      "Merge a task's branch into the current branch (--no-ff), then end its pane or session, remove its worktree and branch",
    )
    .argument('<id>', 'task id')
    .addOption(
      new Option('--commit', 'commit uncommitted changes in its worktree, then merge').conflicts([
        'stash',
        'abort',
      ]),
    )
    .addOption(
      new Option('--stash', 'stash uncommitted changes (git stash), then merge the commits').conflicts([
        'commit',
        'abort',
      ]),
    )
    .addOption(
      new Option('--abort', 'stop if there are uncommitted changes; nothing changes').conflicts([
        'commit',
        'stash',
      ]),
    )
    .addHelpText(
      'after',
      note('With uncommitted changes and no flag it asks on a terminal; without one it exits 64.'),
    )
    .action(humanOnly('flux task cleanup', () => import('./commands/task-cleanup.js')));

  const skill = program.command('skill').description('The Claude Code skill that lets Claude drive Flux');
  skill
    .command('install')
    .description('Write .claude/skills/flux/SKILL.md (in this repository, or for your user with --user)')
    .addOption(new Option('--project', 'in this repository (default)').conflicts('user'))
    .addOption(new Option('--user', 'for your user: $CLAUDE_CONFIG_DIR or ~/.claude').conflicts('project'))
    .option('--force', 'replace a different SKILL.md that is already there')
    .action(lazy(async () => ({ run: (await import('./commands/skill.js')).install })));
  skill
    .command('show')
    .description('Print the skill')
    .action(lazy(async () => ({ run: (await import('./commands/skill.js')).show })));

  const graph = program.command('graph').description('Show or edit the execution graph');
  graph
    .command('show', { isDefault: true })
    .description("Show the stage DAG with each stage's state, or a lifecycle statechart")
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'mermaid', 'dot', 'json'])
        .default('text'),
    )
    .addOption(
      new Option('--machine <machine>', 'render a lifecycle statechart (mermaid) instead').choices([
        'stage',
        'session',
      ]),
    )
    .action(lazy(() => import('./commands/graph-show.js')));
  graph
    .command('edit')
    .description('Open the plan in $EDITOR, then re-validate and re-initialise')
    .action(humanOnly('flux graph edit', () => import('./commands/graph-edit.js')));

  program
    .command('stage')
    .description("Force a stage's state (recorded as an event, through the stage machine)")
    .argument('<id>', 'stage id')
    .addArgument(new Argument('<action>', 'the forced transition').choices(['complete', 'block', 'reset']))
    .option('--reason <text>', 'why (recorded in the log)')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux stage', () => import('./commands/stage.js')));

  program
    .command('replay')
    .description('Replay the event log, printing each event and the state change it caused')
    .option('--until <seq>', 'stop after this sequence number', parseSeq)
    .option('--stage <id>', 'only events about this stage (and its sessions)')
    .action(lazy(() => import('./commands/replay.js')));

  program
    .command('approve')
    .description("Allow what a stage's agent is asking permission for, without attaching")
    .argument('<stage>', 'stage, session or tmux session name')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(
      humanOnly('flux approve', async () => ({ run: (await import('./commands/permission.js')).approve })),
    );

  program
    .command('deny')
    .description("Deny what a stage's agent is asking permission for; the reason is told to the agent")
    .argument('<stage>', 'stage, session or tmux session name')
    .option('--reason <text>', 'why, for the agent')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux deny', async () => ({ run: (await import('./commands/permission.js')).deny })));

  program
    .command('done')
    .description('(for agents) Declare the stage done: run its acceptance commands, record it completed')
    .argument('[stage]', "the stage (default: the session's stage, or the worktree you are in)")
    .action(lazy(() => import('./commands/done.js')));

  program
    .command('handoff')
    .description('(for agents) Record the handoff document; a fresh session continues from it')
    .argument('[stage]', "the stage (default: the session's stage, or the worktree you are in)")
    .action(lazy(() => import('./commands/handoff.js')));

  program
    .command('hook')
    .description('(for agents) Handle a Claude Code hook or status-line call: JSON on stdin')
    .argument(
      '<hook>',
      'SessionStart | UserPromptSubmit | Stop | PermissionRequest | PostToolUse | Notification | PreCompact | SessionEnd | StopFailure | StatusLine',
    );

  const agent = program.command('agent').description('(internal) Processes Flux runs inside tmux sessions');
  agent
    .command('sim')
    .description('The simulated agent (docs/sim-agent.md)')
    .requiredOption('--script <file>', 'its script (JSON)')
    .requiredOption('--prompt-file <file>', 'its first prompt')
    .action(lazy(() => import('./commands/agent-sim.js')));

  addExitCodes(program);
  return program;
}

/** A paragraph after a command's options, wrapped to the help's width when it is shown. */
function note(text: string): () => string {
  return () => `\n${wrap(text, terminalWidth()).join('\n')}`;
}

/** The path of a command below the program: `task run`; '' for the program. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Ends every command's help with its exit codes (help-exit-codes.ts); a group
 * (`flux task`) lists every code its commands exit with.
 */
function addExitCodes(command: Command): void {
  const path = commandPath(command);
  const leaves = (c: Command): string[] =>
    c.commands.length === 0 ? [commandPath(c)] : c.commands.flatMap(leaves);
  const codes = EXIT_CODES[path] ?? groupCodes(leaves(command));
  command.addHelpText('after', () => `\n${exitCodesHelp(codes, terminalWidth())}`);
  for (const sub of command.commands) addExitCodes(sub);
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  let code: number;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    code = exitCodeFor(error);
  }
  return reportViewFailure(code);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return ExitCode.ok;
    return ExitCode.usage;
  }
  // A file that could not be read or written is the machine's trouble, not a bug: no stack trace.
  return printError(asIoError(error, { action: syscallAction(error) }));
}

/** How a system error's call reads in "cannot … <path>". */
const SYSCALL_ACTIONS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write to',
  rename: 'rename',
  mkdir: 'create the directory',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
  copyfile: 'copy',
};

function syscallAction(error: unknown): string {
  const syscall = (error as NodeJS.ErrnoException | undefined)?.syscall;
  return (syscall === undefined ? undefined : SYSCALL_ACTIONS[syscall]) ?? 'use';
}

/**
 * Events were appended but a view could not be written: said after whatever
 * the command said, and exit 10 unless the command failed for another reason.
 */
function reportViewFailure(code: number): number {
  const failure = takeViewFailure();
  if (failure === null) return code;
  printError(failure);
  return code === ExitCode.ok ? failure.exitCode : code;
}
