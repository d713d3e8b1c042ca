/** `flux status [--json]`: progress, every stage with its session and context, what waits on a person. */
import { RUN_DEFAULTS } from '../../engine/defaults.js';
import { Engine } from '../../engine/engine.js';
import { predictedConflicts } from '../../engine/runtime/standalone.js';
import { statusView, type StageRow, type StatusView } from '../../engine/views.js';
import { paint, paintStatus, print, printJson, table } from '../output.js';

export async function run(options: { json?: boolean }): Promise<number> {
  const engine = Engine.open();
  const state = engine.load();
  const view = { ...statusView(state), conflicts: await predictedConflicts(engine.ws.root, state) };
  if (options.json === true) printJson(view);
  else print(renderStatus(view));
  return 0;
}

function sessionCell(row: Pick<StageRow, 'session'>): string {
  if (row.session === null) return '-';
  const status = row.session.status === 'ended' ? 'ended' : paintStatus(row.session.status);
  return `${row.session.id} (${status})`;
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

export function renderStatus(view: StatusView & { conflicts?: Record<string, string[]> }): string {
  const lines: string[] = [];
  if (view.plan !== null) lines.push(`${paint(view.plan.title, 'bold')}  ${paint(view.plan.path, 'dim')}`);
  const counts = Object.entries(view.counts)
    .filter(([status]) => status !== 'merged')
    .map(([status, n]) => `${n} ${status}`)
    .join(' · ');
  if (view.plan === null && view.stages.length === 0) {
    lines.push('No plan: `flux init <plan-path>` starts one.');
  } else {
    lines.push(
      `${view.progress.merged} of ${view.progress.total} merged${counts === '' ? '' : ` · ${counts}`}`,
      '',
    );
    lines.push(stageTable(view));
  }
  lines.push(...taskLines(view));
  const conflicts = Object.entries(view.conflicts ?? {});
  if (conflicts.length > 0) {
    lines.push('', paint('Predicted merge conflicts (git merge-tree):', 'red'));
    for (const [id, files] of conflicts) lines.push(`  ${id}: ${files.join(', ') || 'conflicts'}`);
  }
  if (view.attention.length > 0) {
    lines.push('', paint('Waiting on you:', 'yellow'));
    for (const item of view.attention)
      lines.push(`  ${item.stage}: ${item.what}  →  ${paint(item.command, 'cyan')}`);
  }
  return lines.join('\n');
}

/** Ad hoc tasks (`flux task run`): the open ones in a table, the merged ones counted. */
function taskLines(view: StatusView): string[] {
  if (view.tasks.length === 0) return [];
  const open = view.tasks.filter((task) => task.status !== 'merged');
  const merged = view.tasks.length - open.length;
  const lines = [
    '',
    `${paint('Tasks', 'bold')} (${open.length} open${merged === 0 ? '' : `, ${merged} merged`}; \`flux task list\` for more)`,
  ];
  if (open.length > 0) {
    lines.push(
      table(
        ['TASK', 'STATE', 'SESSION', 'CONTEXT', 'BRANCH'],
        open.map((task) => [
          task.id,
          paintStatus(task.status),
          sessionCell(task),
          contextCell(task),
          task.branch,
        ]),
      ),
    );
  }
  return lines;
}

function stageTable(view: StatusView): string {
  return table(
    ['STAGE', 'STATE', 'DEPENDS ON', 'SESSION', 'CONTEXT'],
    view.stages.map((row) => [
      row.id,
      paintStatus(row.status),
      row.dependencies.length === 0
        ? '-'
        : row.dependencies.map((dep) => (row.waitingFor.includes(dep) ? dep : paint(dep, 'dim'))).join(', '),
      sessionCell(row),
      contextCell(row),
    ]),
  );
}
