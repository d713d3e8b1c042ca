/** `flux status [--json]`: progress, every stage with its session and context, what waits on a person. */
import { RUN_DEFAULTS } from '../../engine/defaults.js';
import { Engine } from '../../engine/engine.js';
import { predictedConflicts } from '../../engine/runtime/standalone.js';
import { readSupervisor } from '../../engine/supervisor.js';
import {
  shortSession,
  statusView,
  type MergeRow,
  type StageRow,
  type StatusView,
} from '../../engine/views.js';
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

export async function run(options: { json?: boolean }): Promise<number> {
  const engine = Engine.open();
  const state = engine.load();
  const view = { ...statusView(state), conflicts: await predictedConflicts(engine.ws.root, state) };
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

export function renderStatus(
  view: StatusView & { conflicts?: Record<string, string[]> },
  width: number = terminalWidth(),
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
        `${view.progress.merged} of ${view.progress.total} merged${counts === '' ? '' : ` · ${counts}`}`,
        width,
      ),
      '',
    );
    lines.push(stageTable(view, width));
  }
  lines.push(...queueLines(view, width));
  lines.push(...taskLines(view, width));
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

/** What a stage's merge problem is, in a few words. */
function mergeProblem(merge: MergeRow): string {
  return merge.cause === 'conflict'
    ? `conflicts in ${merge.conflicts.join(', ') || 'some files'}`
    : `the merged tree fails ${merge.failed.join(', ') || 'the checks'}`;
}

const MERGE_STATE_WORDS: Record<MergeRow['state'], string> = {
  queued: 'queued',
  checking: 'checking',
  returned: 'back with its agent',
  resolved: 'resolved; waits for your review',
  waiting: 'waits for you',
};

/** The merge queue in merge order, then the stages that did not land and what happens to them. */
function queueLines(view: StatusView, width: number): string[] {
  const lines: string[] = [];
  const queued = view.stages.filter((row) => row.merge !== null && row.merge.position !== null);
  if (queued.length > 0) {
    lines.push('', paint(`Merge queue (into ${view.baseBranch ?? 'the base'}):`, 'bold'));
    for (const row of queued.sort((a, b) => a.merge!.position! - b.merge!.position!)) {
      const merge = row.merge!;
      const what =
        merge.state === 'checking' ? `checking ${merge.commit?.slice(0, 8) ?? ''}`.trim() : 'queued';
      lines.push(
        ...wrap(`${merge.position}. ${row.id}  ${what}`, width, { indent: '  ', hangingIndent: '     ' }),
      );
    }
  }
  const problems = view.stages.filter((row) => row.merge !== null && row.merge.position === null);
  if (problems.length > 0) {
    lines.push('', paint('Not landing:', 'yellow'));
    for (const row of problems) {
      const merge = row.merge!;
      const attempt = merge.attempts > 0 ? ` (attempt ${merge.attempts})` : '';
      lines.push(
        ...wrap(`${row.id}: ${mergeProblem(merge)}: ${MERGE_STATE_WORDS[merge.state]}${attempt}`, width, {
          indent: '  ',
          hangingIndent: '    ',
        }),
      );
    }
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
        ['TASK', 'STATE', 'SESSION', 'CONTEXT', 'BRANCH'],
        open.map((task) => [
          task.id,
          paintStatus(task.status),
          sessionCell(task),
          contextCell(task),
          task.branch,
        ]),
        // The branch is feature/<id> unless [task] says otherwise: it goes first.
        { width, shrink: [[4], [0]] },
      ),
    );
  }
  return lines;
}

function stageTable(view: StatusView, width: number): string {
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
    // Dependencies are in the plan (and `flux graph show`): they give up room first.
    { width, shrink: [[2], [3], [0]] },
  );
}
