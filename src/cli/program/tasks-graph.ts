/** Ad hoc tasks, the Claude Code skill, the execution graph. */
import { type Command, Option } from 'commander';
import { humanOnly, lazy, note } from './define.js';

export function addTaskSkillGraphCommands(program: Command): void {
  const task = program
    .command('task')
    .description('Ad hoc tasks, no plan needed: each in its own worktree and tmux pane or session');
  task
    .command('init')
    .description(
      'Create .work/ (config.toml and an empty log) before the first task, so [task] can be set first; keeps a config.toml written by hand',
    )
    .action(lazy(() => import('../commands/task-init.js')));
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
    .action(lazy(() => import('../commands/task-run.js')));
  task
    .command('list')
    .description(
      'Open tasks: state, agent running or not, context, uptime, worktree, branch, and their commands',
    )
    .option('--all', 'include merged tasks')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('../commands/task-list.js')));
  task
    .command('status')
    .description(
      "One task: its agent's health, uncommitted changes, commits ahead, the last 15 lines of its pane, next steps",
    )
    .argument('<id>', 'task id')
    .option('--json', 'machine-readable output')
    .action(lazy(() => import('../commands/task-status.js')));
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
    .action(humanOnly('flux task cleanup', () => import('../commands/task-cleanup.js')));

  const skill = program.command('skill').description('The Claude Code skill that lets Claude drive Flux');
  skill
    .command('install')
    .description('Write .claude/skills/flux/SKILL.md (in this repository, or for your user with --user)')
    .addOption(new Option('--project', 'in this repository (default)').conflicts('user'))
    .addOption(new Option('--user', 'for your user: $CLAUDE_CONFIG_DIR or ~/.claude').conflicts('project'))
    .option('--force', 'replace a different SKILL.md that is already there')
    .action(lazy(async () => ({ run: (await import('../commands/skill.js')).install })));
  skill
    .command('show')
    .description('Print the skill')
    .action(lazy(async () => ({ run: (await import('../commands/skill.js')).show })));

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
    .action(lazy(() => import('../commands/graph-show.js')));
  graph
    .command('edit')
    .description('Open the plan in $EDITOR, then re-validate and re-initialise')
    .action(humanOnly('flux graph edit', () => import('../commands/graph-edit.js')));
}
