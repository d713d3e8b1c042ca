/**
 * `flux task status <id> [--json]`: one ad hoc task in detail: whether its
 * agent runs, its worktree (uncommitted changes, commits ahead of its base),
 * the last 15 lines of its pane, and the next steps that fit.
 */
import { isPaneId, Runtime } from '../../engine/runtime.js';
import { currentSession } from '../../engine/state.js';
import { requireTask, taskNextSteps } from '../../engine/task.js';
import { gatherTaskFacts, lookAtTmux, taskTarget } from '../../engine/runtime/tasks.js';
import { sessionActivity } from '../../engine/views.js';
import { ExitCode } from '../../errors.js';
import { duration } from '../duration.js';
import { paint, paintStatus, print, printJson } from '../output.js';

/** Lines of the pane shown as recent activity. */
export const ACTIVITY_LINES = 15;

/** The last ACTIVITY_LINES lines of a pane's text, runs of blank lines (a mostly empty screen) folded into one. */
export function recent(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' && (lines.length === 0 || lines.at(-1)!.trim() === '')) continue;
    lines.push(line);
  }
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return lines.slice(-ACTIVITY_LINES).join('\n');
}

export async function run(id: string, options: { json?: boolean }): Promise<number> {
  const runtime = Runtime.open();
  const state = runtime.engine.load();
  const task = requireTask(state, id);
  const session = currentSession(state, task);
  const view = await lookAtTmux(runtime);
  const facts = await gatherTaskFacts(runtime, state, task, view);
  const target = taskTarget(view, state, task);
  const activity =
    target === null ? null : await runtime.tmux.capturePane(target, 200).then(recent, () => null);
  const steps = taskNextSteps(state, task, facts);

  if (options.json === true) {
    printJson({
      id: task.id,
      description: task.def.description,
      status: task.status,
      reason: task.reason,
      session:
        session === null
          ? null
          : {
              id: session.id,
              status: session.status,
              agent: session.agent,
              tmux: session.tmux,
              context: session.context,
              startedAt: session.startedAt,
            },
      running: facts.running,
      worktree: {
        path: task.task.worktree,
        exists: facts.worktreeExists,
        uncommitted: facts.dirty,
      },
      branch: {
        name: task.task.branch,
        base: task.task.base,
        exists: facts.branchExists,
        ahead: facts.ahead,
        behind: facts.behind,
      },
      mergedCommit: task.mergedCommit,
      activity,
      next: steps,
    });
    return ExitCode.ok;
  }

  print(`${paint(`Task ${task.id}`, 'bold')}: ${task.def.name}`);
  print('');
  const where =
    session === null || session.tmux === ''
      ? ''
      : isPaneId(session.tmux)
        ? `tmux pane ${session.tmux}`
        : `tmux session ${session.tmux}`;
  let health: string;
  if (task.status === 'merged') health = paint('finished (merged)', 'dim');
  else if (facts.running && session !== null) {
    const up = duration((Date.now() - Date.parse(session.startedAt)) / 1000);
    health = `${paint('running', 'green')} in ${where}, up ${up} (${session.id}: ${paintStatus(sessionActivity(session))})`;
  } else {
    const why =
      session === null
        ? 'no session'
        : session.endReason !== null
          ? `${session.id} ${session.status}: ${session.endReason}`
          : `${session.id}: ${where === '' ? 'started by hand' : `${where} is gone`}`;
    health = `${paint('stopped', 'red')} (${why})`;
  }
  print(`  State     ${paintStatus(task.status)}${task.reason === null ? '' : ` (${task.reason})`}`);
  print(`  Session   ${health}`);
  if (session?.context !== null && session?.context !== undefined)
    print(`  Context   ${Math.round(session.context)}%`);
  const worktreeNote = !facts.worktreeExists
    ? paint('(gone)', 'red')
    : facts.dirty.length === 0
      ? 'clean'
      : paint(
          `${facts.dirty.length} uncommitted: ${facts.dirty.slice(0, 6).join(', ')}${facts.dirty.length > 6 ? ', …' : ''}`,
          'yellow',
        );
  print(`  Worktree  ${task.task.worktree}  ${worktreeNote}`);
  const branchNote = !facts.branchExists
    ? task.status === 'merged'
      ? '(deleted after the merge)'
      : paint('(no such branch)', 'red')
    : facts.ahead === null
      ? `(cannot compare with ${task.task.base})`
      : `${facts.ahead} commit(s) ahead of ${task.task.base}${facts.behind ? `, ${facts.behind} behind` : ''}`;
  print(`  Branch    ${task.task.branch}  ${branchNote}`);
  if (task.mergedCommit !== null) print(`  Merged as ${task.mergedCommit.slice(0, 12)}`);

  if (activity !== null) {
    print('');
    print(paint(`Recent activity (last ${ACTIVITY_LINES} lines of ${where}):`, 'bold'));
    const lines = activity === '' ? ['(empty)'] : activity.split('\n');
    for (const line of lines) print(`  │ ${line}`);
  }
  print('');
  print(paint('Next steps:', 'bold'));
  for (const step of steps) print(`  - ${step}`);
  return ExitCode.ok;
}
