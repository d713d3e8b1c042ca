/** Forced transitions, the log replayed, permission answers: stage, replay, approve, deny. */
import { Argument, type Command } from 'commander';
import { humanOnly, lazy, parseSeq } from './define.js';

export function addDecisionCommands(program: Command): void {
  program
    .command('stage')
    .description("Force a stage's state (recorded as an event, through the stage machine)")
    .argument('<id>', 'stage id')
    .addArgument(new Argument('<action>', 'the forced transition').choices(['complete', 'block', 'reset']))
    .option('--reason <text>', 'why (recorded in the log)')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux stage', () => import('../commands/stage.js')));

  program
    .command('replay')
    .description('Replay the event log, printing each event and the state change it caused')
    .option('--until <seq>', 'stop after this sequence number', parseSeq)
    .option('--stage <id>', 'only events about this stage (and its sessions)')
    .action(lazy(() => import('../commands/replay.js')));

  program
    .command('approve')
    .description("Allow what a stage's agent is asking permission for, without attaching")
    .argument('<stage>', 'stage, session or tmux session name')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(
      humanOnly('flux approve', async () => ({ run: (await import('../commands/permission.js')).approve })),
    );

  program
    .command('deny')
    .description("Deny what a stage's agent is asking permission for; the reason is told to the agent")
    .argument('<stage>', 'stage, session or tmux session name')
    .option('--reason <text>', 'why, for the agent')
    .option('--no-start', 'do not start a supervisor to carry on')
    .action(humanOnly('flux deny', async () => ({ run: (await import('../commands/permission.js')).deny })));
}
