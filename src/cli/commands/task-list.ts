/**
 * `flux task list [--all] [--json]`: every ad hoc task that is not merged
 * yet (with `--all`, merged ones too): its worktree and branch, how long its
 * agent has been up, its state and context, and the commands to attach, see
 * its status and clean it up.
 */
import { formatAmount, stageLimits, stageSpend } from '../../engine/budget.js';
import { isPaneId, Runtime, shellJoin } from '../../engine/runtime.js';
import { currentSession, tasksOf, type FluxState } from '../../engine/state.js';
import type { TaskState } from '../../engine/task.js';
import { lookAtTmux, taskRunning, type TmuxView } from '../../engine/runtime/tasks.js';
import { ExitCode, NotInitializedError } from '../../errors.js';
import { sessionActivity } from '../../engine/views.js';
import { duration } from '../duration.js';
import {
  displayWidth,
  paint,
  paintStatus,
  print,
  printJson,
  say,
  terminalWidth,
  truncate,
} from '../output.js';

export interface TaskListRow {
  id: string;
  description: string;
  /** The task's state (the stage lifecycle). */
  status: string;
  session: { id: string; status: string; tmux: string; context: number | null } | null;
  /** The agent of its current session (`claude`, `sim` or a command agent). */
  agent: string | null;
  /** Whether its agent's pane or session is alive in tmux. */
  running: boolean;
  placement: 'pane' | 'session';
  worktree: string;
  branch: string;
  base: string;
  createdAt: string;
  /** Seconds since its current session started, while it runs; null when it does not. */
  uptimeSeconds: number | null;
  /** What its sessions have spent, in US dollars; null when none reported a cost. */
  cost_usd: number | null;
  /** Its dollar limit (`[budget] usd`, or a `flux budget` raise), when it has one. */
  budget_usd: number | null;
  commands: { attach: string; status: string; cleanup: string };
}

export function taskRow(
  runtime: Runtime,
  state: FluxState,
  task: TaskState,
  view: TmuxView,
  now = Date.now(),
): TaskListRow {
  const session = currentSession(state, task);
  const running = taskRunning(view, state, task);
  const target = session?.tmux ?? task.task.tmuxSession;
  const raw = shellJoin(runtime.tmux.attachArgs(target));
  return {
    id: task.id,
    description: task.def.description,
    status: task.status,
    session:
      session === null
        ? null
        : { id: session.id, status: session.status, tmux: session.tmux, context: session.context },
    agent: session?.agent ?? null,
    running,
    placement: task.task.placement,
    worktree: task.task.worktree,
    branch: task.task.branch,
    base: task.task.base,
    createdAt: task.task.createdAt,
    uptimeSeconds:
      running && session !== null ? Math.round((now - Date.parse(session.startedAt)) / 1000) : null,
    cost_usd: stageSpend(state, task.id, now).usd,
    budget_usd: stageLimits(state, task.id, runtime.config.budget).usd ?? null,
    commands: {
      attach: `flux attach ${task.id}   (${raw})`,
      status: `flux task status ${task.id}`,
      cleanup: `flux task cleanup ${task.id}`,
    },
  };
}

/**
 * A command on as many lines as it needs, each ending in ` \` but the last,
 * so a shell reads it back whole. A command with quotes is left on one line
 * (its spaces may be inside them).
 */
function continued(command: string, width: number, indent: string): string[] {
  if (indent.length + displayWidth(command) <= width || /['"\\]/.test(command)) return [indent + command];
  const lines: string[] = [];
  let line = indent;
  for (const word of command.split(' ')) {
    if (line.trim() !== '' && displayWidth(`${line} ${word} \\`) > width) {
      lines.push(`${line} \\`);
      line = `${indent}  ${word}`;
    } else line = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** "running · working · context 34% · $0.42 · up 12m" */
function stateLine(row: TaskListRow): string {
  const parts = [paintStatus(row.status)];
  if (row.session !== null && row.status !== 'merged') {
    parts.push(
      row.running
        ? paintStatus(sessionActivity({ ...row.session, agent: row.agent ?? '' }))
        : paint(`agent stopped${row.session.status === 'crashed' ? ' (crashed)' : ''}`, 'dim'),
    );
  }
  if (row.status !== 'merged' && row.session?.context !== null && row.session?.context !== undefined)
    parts.push(`context ${Math.round(row.session.context)}%`);
  if (row.cost_usd !== null || row.budget_usd !== null) {
    const spent = row.cost_usd === null ? '—' : formatAmount('usd', row.cost_usd);
    parts.push(row.budget_usd === null ? spent : `${spent} of ${formatAmount('usd', row.budget_usd)}`);
  }
  if (row.uptimeSeconds !== null) parts.push(`up ${duration(row.uptimeSeconds)}`);
  return parts.join(' · ');
}

export function renderTaskList(rows: readonly TaskListRow[], width: number = terminalWidth()): string {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push(truncate(`${paint(row.id, 'bold')}  ${stateLine(row)}`, width));
    const where =
      row.session === null ? '' : ` (${isPaneId(row.session.tmux) ? 'pane' : 'session'} ${row.session.tmux})`;
    lines.push(truncate(`  ${row.description.split('\n')[0]}`, width));
    lines.push(`  worktree  ${row.worktree}`);
    lines.push(`  branch    ${row.branch} (from ${row.base})`);
    if (row.status !== 'merged') {
      if (row.running) {
        const attach = `  attach    ${row.commands.attach}${paint(where, 'dim')}`;
        if (displayWidth(attach) <= width) lines.push(attach);
        else {
          // The tmux command on lines of its own, continued with `\`, so neither is cut.
          const [flux = '', raw = ''] = row.commands.attach.split(/ {3}/);
          lines.push(`  attach    ${flux}`);
          const tmux = raw.replace(/^\((.*)\)$/, '$1');
          lines.push(...continued(tmux, width, ' '.repeat(12)).map((line) => paint(line, 'dim')));
        }
      }
      lines.push(`  status    ${row.commands.status}`);
      lines.push(`  cleanup   ${row.commands.cleanup}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

export async function run(options: { all?: boolean; json?: boolean }): Promise<number> {
  let runtime: Runtime;
  try {
    runtime = Runtime.open();
  } catch (error) {
    // No workspace yet: no tasks yet.
    if (!(error instanceof NotInitializedError)) throw error;
    if (options.json === true) printJson([]);
    else print('No tasks. `flux task run "<description>"` starts one.');
    return ExitCode.ok;
  }
  const state = runtime.engine.load();
  const view = await lookAtTmux(runtime);
  const tasks = tasksOf(state).filter((task) => options.all === true || task.status !== 'merged');
  const rows = tasks.map((task) => taskRow(runtime, state, task, view));
  if (options.json === true) {
    printJson(rows);
    return ExitCode.ok;
  }
  if (rows.length === 0) {
    const merged = tasksOf(state).length;
    say(
      merged === 0
        ? 'No tasks. `flux task run "<description>"` starts one.'
        : `No open tasks (${merged} merged: \`flux task list --all\` lists them).`,
    );
    return ExitCode.ok;
  }
  const running = rows.filter((row) => row.running).length;
  print(`${rows.length} task(s), ${running} with a running agent:\n`);
  print(renderTaskList(rows));
  return ExitCode.ok;
}
