/** The human gate and the sessions: verify, merge, resume, attach, sessions, worktree. */
import { type Command, Option } from 'commander';
import { humanOnly, lazy, note } from './define.js';

export function addReviewCommands(program: Command): void {
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
    .action(humanOnly('flux verify', () => import('../commands/verify.js')));

  program
    .command('merge')
    .description('Merge an approved (verified) stage into the base branch; removes its worktree and branch')
    .argument('<id>', 'stage id')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux merge', () => import('../commands/merge.js')));

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
    .action(humanOnly('flux resume', () => import('../commands/resume.js')));

  const attach = program
    .command('attach')
    .description(
      'Attach this terminal to a live session (detach with Ctrl+B D); `flux attach list` lists them',
    )
    .argument('<target>', 'a stage id, a session id (stage-1.s2) or a tmux session name')
    .option(
      '--print',
      'print the command that attaches (tmux, or ssh -t for a session on a host) instead of running it',
    )
    .action(lazy(() => import('../commands/attach.js')));
  attach
    .command('list')
    .description(
      'The live sessions you can attach to: SESSION, STAGE, STATUS, HOST (when hosts are in use), CONTEXT',
    )
    .option('--json', 'machine-readable output')
    .action(lazy(async () => ({ run: (await import('../commands/attach.js')).list })));

  const sessions = program.command('sessions').description('List or end agent sessions');
  sessions
    .command('list', { isDefault: true })
    .description('Agent sessions with status, agent, tmux session, start and context (live ones by default)')
    .option('--all', 'include ended and crashed sessions')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('../commands/sessions.js')));
  sessions
    .command('kill')
    .description(
      'End a session and close its tmux session; the worktree and branch stay (`flux resume` continues)',
    )
    .argument('<target>', 'a session id, a stage id (its current session) or a tmux session name')

    .action(
      humanOnly('flux sessions kill', async () => ({ run: (await import('../commands/sessions.js')).kill })),
    );

  const worktree = program.command('worktree').description('List or clean up stage worktrees');
  worktree
    .command('list', { isDefault: true })
    .description(
      'Every worktree under .worktrees/: stage, branch, state, uncommitted files, commits ahead, merged',
    )
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('../commands/worktree.js')));
  worktree
    .command('clean')
    .description(
      'Remove worktrees of merged stages and of stages not in the plan, when nothing in them is uncommitted or unmerged',
    )
    .addHelpText('after', note('It lists what it removed and what it kept, and why; it exits 0 either way.'))
    .action(
      humanOnly('flux worktree clean', async () => ({
        run: (await import('../commands/worktree.js')).clean,
      })),
    );
}
