/**
 * The command-line surface: every command, its arguments, options and help.
 * Each command's work lives in `commands/<name>.ts`, loaded only when that
 * command runs, so `flux status` does not pay for what `flux init` needs.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode } from '../errors.js';
import { printError } from './output.js';
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
    .configureHelp({ sortSubcommands: false });

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
    .action(lazy(() => import('./commands/init.js')));

  program
    .command('run')
    .description(
      'Start every ready stage in its own worktree and tmux session, and watch until a person is needed',
    )
    .option('--stage <id>', 'only this stage')
    .option('--manual', 'prepare worktrees and signals, and print the command that starts each stage')
    .option(
      '--max-parallel <n>',
      'sessions at once (default: run.max_parallel in .work/config.toml)',
      parsePositiveInt,
    )
    .action(lazy(() => import('./commands/run.js')));

  program
    .command('status')
    .description('Show progress, every stage, its session and context, and what waits on you')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('./commands/status.js')));

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
    .action(lazy(() => import('./commands/graph-edit.js')));

  program
    .command('stage')
    .description("Force a stage's state (recorded as an event, through the stage machine)")
    .argument('<id>', 'stage id')
    .addArgument(new Argument('<action>', 'the forced transition').choices(['complete', 'block', 'reset']))
    .option('--reason <text>', 'why (recorded in the log)')
    .action(lazy(() => import('./commands/stage.js')));

  program
    .command('replay')
    .description('Replay the event log, printing each event and the state change it caused')
    .option('--until <seq>', 'stop after this sequence number', parseSeq)
    .option('--stage <id>', 'only events about this stage (and its sessions)')
    .action(lazy(() => import('./commands/replay.js')));

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
      'SessionStart | UserPromptSubmit | Stop | PermissionRequest | Notification | PreCompact | SessionEnd | StopFailure | StatusLine',
    );

  const agent = program.command('agent').description('(internal) Processes Flux runs inside tmux sessions');
  agent
    .command('exec')
    .description('Run an agent and record its session as ended or crashed when it exits')
    .requiredOption('--session <id>', 'the Flux session')
    .argument('<command...>', 'the agent argv, after --')
    .action(lazy(() => import('./commands/agent-exec.js')));
  agent
    .command('sim')
    .description('The simulated agent (docs/sim-agent.md)')
    .requiredOption('--script <file>', 'its script (JSON)')
    .requiredOption('--prompt-file <file>', 'its first prompt')
    .action(lazy(() => import('./commands/agent-sim.js')));

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return ExitCode.ok;
      return ExitCode.usage;
    }
    return printError(error);
  }
}
