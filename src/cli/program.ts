/**
 * The command-line surface: every command, its arguments, options and help.
 * The entries are in `program/` by group; each command's work lives in
 * `commands/<name>.ts`, loaded only when that command runs, so `flux status`
 * does not pay for what `flux init` needs. Errors are caught here, once.
 */
import { Command, CommanderError } from 'commander';
import { asIoError, ExitCode } from '../errors.js';
import { takeViewFailure } from '../engine/engine.js';
import { EXIT_CODES, exitCodesHelp, groupCodes } from './help-exit-codes.js';
import { printError, terminalWidth } from './output.js';
import { addAgentCommands } from './program/agents.js';
import { addDecisionCommands } from './program/decisions.js';
import { addPlanAndRunCommands } from './program/plan-run.js';
import { addReviewCommands } from './program/review.js';
import { addTaskSkillGraphCommands } from './program/tasks-graph.js';
// Installs the validating event codec: every command checks the log against the schemas.
import '../log/codec.js';

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

  addPlanAndRunCommands(program);
  addReviewCommands(program);
  addTaskSkillGraphCommands(program);
  addDecisionCommands(program);
  addAgentCommands(program);
  addExitCodes(program);
  return program;
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
