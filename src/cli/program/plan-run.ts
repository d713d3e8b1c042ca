/** The commands that set a plan going and watch it: demo, init, plan, run, stop, supervise, status, doctor, ui. */
import { type Command } from 'commander';
import { humanOnly, lazy, note, parsePositiveInt } from './define.js';

export function addPlanAndRunCommands(program: Command): void {
  program
    .command('demo')
    .description('Run a built-in demo plan end to end with the simulated agent, in a throw-away repository')
    .option('--dir <path>', 'where to create the demo repository (default: a new temporary directory)')
    .action(lazy(() => import('../commands/demo.js')));

  program
    .command('init')
    .description('Validate a plan and create the .work/ workspace (or update it when the plan changed)')
    .argument('<plan-path>', 'the plan document, e.g. doc/plans/PLAN-auth.md')
    .option('--force', 'apply a changed plan (history is kept; started stages cannot disappear)')
    .action(humanOnly('flux init', () => import('../commands/init.js')));

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
    .action(lazy(() => import('../commands/plan-new.js')));
  planCommand
    .command('check')
    .description(
      'Validate a plan as `flux init` does, and warn about overlapping parallel stages, missing acceptance or files, glob typos and acceptance programs not installed',
    )
    .argument('<plan-path>', 'the plan document, e.g. doc/plans/PLAN-auth.md')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('../commands/plan-check.js')));

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
    .action(lazy(() => import('../commands/run.js')));

  program
    .command('stop')
    .description('End the supervisor; the sessions keep running in tmux unless --sessions')
    .option('--sessions', 'end every live agent session too')
    .addHelpText('after', '\nExit codes: 0 stopped (or none was running).')
    .action(lazy(() => import('../commands/stop.js')));

  program
    .command('supervise', { hidden: true })
    .description('(internal) The supervisor: the monitor in the background until every stage is merged')
    .action(lazy(() => import('../commands/supervise.js')));

  program
    .command('status')
    .description(
      'Show progress, every stage, its session and context, and what waits on you; with a stage, that stage in full',
    )
    .argument('[stage]', 'one stage (or task): its session, host, worktree, branch, sessions and next step')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('../commands/status.js')));

  program
    .command('doctor')
    .description(
      'Check that git, tmux, the agent (claude: installed, key or login, onboarding, trust, model) and .work/ are ready; each ✗ says how to fix it',
    )
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('../commands/doctor.js')));

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
    .action(humanOnly('flux ui', () => import('../commands/ui.js')));
}
