/** `flux status [--json]`: progress, every stage with its session and context, what waits on a person. */
import { Engine } from '../../engine/engine.js';
import { statusView, type StageRow, type StatusView } from '../../engine/views.js';
import { paint, paintStatus, print, printJson, table } from '../output.js';

export function run(options: { json?: boolean }): number {
  const view = statusView(Engine.open().load());
  if (options.json === true) printJson(view);
  else print(renderStatus(view));
  return 0;
}

function sessionCell(row: StageRow): string {
  if (row.session === null) return '-';
  const status = row.session.status === 'ended' ? 'ended' : paintStatus(row.session.status);
  return `${row.session.id} (${status})`;
}

function contextCell(row: StageRow): string {
  const context = row.session?.context;
  if (context === null || context === undefined) return '-';
  const text = `${Math.round(context)}%`;
  return context >= 75 ? paint(text, 'red') : context >= 50 ? paint(text, 'yellow') : text;
}

export function renderStatus(view: StatusView): string {
  const lines: string[] = [];
  if (view.plan !== null) lines.push(`${paint(view.plan.title, 'bold')}  ${paint(view.plan.path, 'dim')}`);
  const counts = Object.entries(view.counts)
    .filter(([status]) => status !== 'merged')
    .map(([status, n]) => `${n} ${status}`)
    .join(' · ');
  lines.push(
    `${view.progress.merged} of ${view.progress.total} merged${counts === '' ? '' : ` · ${counts}`}`,
    '',
  );
  lines.push(
    table(
      ['STAGE', 'STATE', 'DEPENDS ON', 'SESSION', 'CONTEXT'],
      view.stages.map((row) => [
        row.id,
        paintStatus(row.status),
        row.dependencies.length === 0
          ? '-'
          : row.dependencies
              .map((dep) => (row.waitingFor.includes(dep) ? dep : paint(dep, 'dim')))
              .join(', '),
        sessionCell(row),
        contextCell(row),
      ]),
    ),
  );
  if (view.attention.length > 0) {
    lines.push('', paint('Waiting on you:', 'yellow'));
    for (const item of view.attention)
      lines.push(`  ${item.stage}: ${item.what}  →  ${paint(item.command, 'cyan')}`);
  }
  return lines.join('\n');
}
