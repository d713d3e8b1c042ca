/** What agents run from inside their sessions: done, handoff, hook, agent; and what Flux runs on a host: host. */
import { type Command } from 'commander';
import { lazy } from './define.js';

export function addAgentCommands(program: Command): void {
  program
    .command('done')
    .description('(for agents) Declare the stage done: run its acceptance commands, record it completed')
    .argument('[stage]', "the stage (default: the session's stage, or the worktree you are in)")
    .action(lazy(() => import('../commands/done.js')));

  program
    .command('handoff')
    .description('(for agents) Record the handoff document; a fresh session continues from it')
    .argument('[stage]', "the stage (default: the session's stage, or the worktree you are in)")
    .action(lazy(() => import('../commands/handoff.js')));

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
    .action(lazy(() => import('../commands/agent-sim.js')));

  // What Flux runs on a host over ssh (docs/hosts.md).
  const host = program
    .command('host', { hidden: true })
    .description('(internal) Flux on a host, for the supervisor (docs/hosts.md)');
  host
    .command('accept')
    .description(
      "Run acceptance commands in a stage's worktree here: a JSON request on stdin, the report on stdout",
    )
    .action(lazy(() => import('../commands/host-accept.js')));
  host
    .command('launch')
    .description(
      "Add a stage's worktree here, write its agent's files, start its tmux session: JSON in, one JSON line out",
    )
    .action(lazy(() => import('../commands/host-launch.js')));
  host
    .command('drain')
    .description("Stream the host's spool of agents' calls and take their answers: one JSON line each way")
    .argument('<workDir>', "the host's .work folder (its spool/ and replies/)")
    .action(lazy(() => import('../commands/host-drain.js')));
}
