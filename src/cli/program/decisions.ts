/** Forced transitions, the log replayed, permission answers, budgets: stage, replay, approve, deny, budget. */
import { Argument, type Command } from 'commander';
import { humanOnly, lazy, note, parsePositiveInt, parsePositiveNumber, parseSeq } from './define.js';

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

  program
    .command('budget')
    .description(
      "Raise a stage's budget (or the plan's, --plan) so it goes on; without a limit, show what is spent",
    )
    .argument('[stage]', 'stage id')
    .option('--plan', 'the plan-wide budget instead of a stage')
    .option('--usd <n>', 'the new limit in US dollars', parsePositiveNumber)
    .option('--minutes <n>', "the new limit in minutes of its sessions' wall time", parsePositiveNumber)
    .option('--tokens <n>', 'the new limit in tokens (input + output)', parsePositiveInt)
    .option('--no-start', 'do not start a supervisor to carry on')
    .addHelpText(
      'after',
      note(
        "The limit replaces the one that held (the plan's, or [budget] of .work/config.toml) and must be above what is spent. A stage that waited on its budget continues from its handoff in a fresh session. See docs/budgets.md.",
      ),
    )
    .action(humanOnly('flux budget', () => import('../commands/budget.js')));
}
