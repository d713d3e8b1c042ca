/**
 * `flux status [--json]`: progress, every stage with its session and context
 * (and its machine, when hosts are in use), what waits on a person.
 * `flux status <stage>`: one stage in full (src/cli/stage-detail.ts).
 */
import { formatAmount, WARN_SHARE } from '../../engine/budget.js';
import { budgetDefaultsAt, hostNamesAt } from '../../engine/config.js';
import { RUN_DEFAULTS } from '../../engine/defaults.js';
import { Engine } from '../../engine/engine.js';
import { hostCell, showsHosts, unreachableLine } from '../../engine/host-view.js';
import { predictedConflicts } from '../../engine/runtime/standalone.js';
import { readSupervisor } from '../../engine/supervisor.js';
import { queueLines } from '../merge-queue-lines.js';
import { shortSession, statusView, type StageRow, type StatusView } from '../../engine/views.js';
import {
  paint,
  paintStatus,
  pointerLines,
  print,
  printJson,
  table,
  terminalWidth,
  truncate,
  wrap,
} from '../output.js';

export async function run(stage: string | undefined, options: { json?: boolean }): Promise<number> {
  if (stage !== undefined) return (await import('../stage-detail.js')).showStage(stage, options);
  const engine = Engine.open();
  const state = engine.load();
  const budget = { defaults: budgetDefaultsAt(engine.ws.configPath), now: Date.now() };
  const view = {
    ...statusView(state, budget),
    conflicts: await predictedConflicts(engine.ws.root, state),
    hosts: hostNamesAt(engine.ws.configPath),
  };
  const supervisor = readSupervisor(engine.ws);
  if (options.json === true) printJson({ ...view, supervisor });
  else {
    print(renderStatus(view));
    print(
      paint(
        supervisor.running
          ? `Supervisor: running (pid ${supervisor.pid}, since ${supervisor.since}); \`flux stop\` stops it.`
          : 'Supervisor: not running; `flux run` starts it.',
        'dim',
      ),
    );
  }
  return 0;
}

/** `s1 (working)`: the session, short, and what it is doing. */
function sessionCell(row: Pick<StageRow, 'id' | 'session'>): string {
  if (row.session === null) return '-';
  const activity = row.session.activity === 'ended' ? 'ended' : paintStatus(row.session.activity);
  return `${shortSession(row.session.id, row.id)} (${activity})`;
}

function contextCell(row: Pick<StageRow, 'session'>): string {
  const context = row.session?.context;
  if (context === null || context === undefined) return '-';
  const text = `${Math.round(context)}%`;
  return context >= RUN_DEFAULTS.handoff_threshold
    ? paint(text, 'red')
    : context >= 50
      ? paint(text, 'yellow')
      : text;
}

/**
 * `$0.42`, `$0.85 / $1.00` against a dollar limit (yellow from 80%, red once
 * reached), `—` while no session has reported a cost.
 */
export function costCell(row: Pick<StageRow, 'cost_usd' | 'budget' | 'budget_reached'>): string {
  const limit = row.budget.usd;
  const spent = row.cost_usd === null ? '—' : formatAmount('usd', row.cost_usd);
  if (limit === undefined) return row.budget_reached === null ? spent : paint(spent, 'red');
  const text = `${spent} / ${formatAmount('usd', limit)}`;
  const used = (row.cost_usd ?? 0) / limit;
  return used >= 1 || row.budget_reached !== null
    ? paint(text, 'red')
    : used >= WARN_SHARE
      ? paint(text, 'yellow')
      : text;
}

export function renderStatus(
  view: StatusView & { conflicts?: Record<string, string[]>; hosts?: readonly string[] },
  width: number = terminalWidth(),
  now: number = Date.now(),
): string {
  const lines: string[] = [];
  if (view.plan !== null)
    lines.push(truncate(`${paint(view.plan.title, 'bold')}  ${paint(view.plan.path, 'dim')}`, width));
  const counts = Object.entries(view.counts)
    .filter(([status]) => status !== 'merged')
    .map(([status, n]) => `${n} ${status}`)
    .join(' · ');
  if (view.plan === null && view.stages.length === 0) {
    lines.push('No plan: `flux init <plan-path>` starts one.');
  } else {
    lines.push(
      ...wrap(
        `${view.progress.merged} of ${view.progress.total} merged${counts === '' ? '' : ` · ${counts}`}${planCost(view)}`,
        width,
      ),
    );
    for (const host of view.unreachable)
      lines.push(...wrap(paint(unreachableLine(host, now), 'red'), width, { hangingIndent: '  ' }));
    lines.push('', stageTable(view, width));
  }
  lines.push(...queueLines(view, width));
  lines.push(...taskLines(view, width));
  lines.push(...setupFailureLines([...view.stages, ...view.tasks], width));
  const conflicts = Object.entries(view.conflicts ?? {});
  if (conflicts.length > 0) {
    lines.push('', paint('Predicted merge conflicts (git merge-tree):', 'red'));
    for (const [id, files] of conflicts)
      lines.push(
        ...wrap(`${id}: ${files.join(', ') || 'conflicts'}`, width, { indent: '  ', hangingIndent: '    ' }),
      );
  }
  if (view.attention.length > 0) {
    lines.push('', paint('Waiting on you:', 'yellow'));
    for (const item of view.attention)
      lines.push(...pointerLines(item.stage, item.what, item.command, width));
  }
  return lines.join('\n');
}

/** ` · $1.20 spent` (of the plan's budget, when it has one); nothing while no cost is known. */
function planCost(view: StatusView): string {
  const limit = view.budget.usd;
  if (view.cost_usd === null && limit === undefined) return '';
  const spent = view.cost_usd === null ? '—' : formatAmount('usd', view.cost_usd);
  return limit === undefined
    ? ` · ${spent} spent`
    : ` · ${spent} of the plan's ${formatAmount('usd', limit)}`;
}

/** Each failed worktree setup: the command, how it ended, its output's last lines, and where the rest is. */
function setupFailureLines(
  rows: readonly Pick<StageRow, 'id' | 'setup' | 'status'>[],
  width: number,
): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    const failed = row.setup?.failed;
    if (failed === null || failed === undefined || row.status !== 'failed') continue;
    const how =
      failed.command === null
        ? (failed.error ?? 'it could not run')
        : `\`${failed.command}\` ${failed.timedOut ? 'timed out' : `exited with ${failed.exitCode ?? 'a signal'}`}`;
    lines.push('', ...wrap(`${paint(`Setup of ${row.id} failed:`, 'red')} ${how}`, width));
    if (failed.tail !== '')
      lines.push(...failed.tail.split('\n').map((line) => truncate(`  │ ${line}`, width)));
    lines.push(...wrap(paint(`full output: .work/${row.setup!.log}`, 'dim'), width, { indent: '  ' }));
  }
  return lines;
}

/** Ad hoc tasks (`flux task run`): the open ones in a table, the merged ones counted. */
function taskLines(view: StatusView, width: number): string[] {
  if (view.tasks.length === 0) return [];
  const open = view.tasks.filter((task) => task.status !== 'merged');
  const merged = view.tasks.length - open.length;
  const lines = [
    '',
    ...wrap(
      `${paint('Tasks', 'bold')} (${open.length} open${merged === 0 ? '' : `, ${merged} merged`}; \`flux task list\` for more)`,
      width,
    ),
  ];
  if (open.length > 0) {
    lines.push(
      table(
        ['TASK', 'STATE', 'SESSION', 'CONTEXT', 'COST', 'BRANCH'],
        open.map((task) => [
          task.id,
          paintStatus(task.status),
          sessionCell(task),
          contextCell(task),
          costCell(task),
          task.branch,
        ]),
        // The branch is feature/<id> unless [task] says otherwise: it goes first.
        { width, shrink: [[5], [0]] },
      ),
    );
  }
  return lines;
}

/** HOST: where the stage is (`local`, `box1`, `box1 ✗` when it cannot be reached), red when unreachable. */
function hostColumn(view: StatusView, row: Pick<StageRow, 'host'>): string {
  const cell = hostCell(row.host, view.unreachable);
  return cell === row.host || cell === '-' ? cell : paint(cell, 'red');
}

function stageTable(view: StatusView & { hosts?: readonly string[] }, width: number): string {
  // Only where hosts are in use: a repository on one machine keeps its table as it was.
  const hosts = showsHosts(
    view.stages.map((row) => row.host),
    view.unreachable,
    view.hosts ?? [],
  );
  return table(
    ['STAGE', 'STATE', 'DEPENDS ON', 'SESSION', ...(hosts ? ['HOST'] : []), 'CONTEXT', 'COST'],
    view.stages.map((row) => [
      row.id,
      paintStatus(row.status),
      row.dependencies.length === 0
        ? '-'
        : row.dependencies.map((dep) => (row.waitingFor.includes(dep) ? dep : paint(dep, 'dim'))).join(', '),
      sessionCell(row),
      ...(hosts ? [hostColumn(view, row)] : []),
      contextCell(row),
      costCell(row),
    ]),
    // Dependencies are in the plan (and `flux graph show`): they give up room first.
    { width, shrink: [[2], [3], [0]] },
  );
}
