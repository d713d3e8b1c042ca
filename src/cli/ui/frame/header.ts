/**
 * The top of the main screen: the plan's title and the supervisor, the
 * progress bar and the cost, the merge queue, the hosts Flux cannot reach,
 * and what is waiting on the person.
 */
import { unreachableLine } from '../../../engine/host-view.js';
import { formatCost } from '../cost.js';
import type { UiState } from '../state.js';
import { supervisorLabel } from '../supervisor.js';
import { cut, fit, progressBar } from '../text.js';
import { text, type Line } from './segment.js';

export function headerLines(state: UiState): Line[] {
  const { model, size } = state;
  const width = size.columns;
  const supervisor = supervisorLabel(model.supervisor);
  const title = cut(model.title, Math.max(10, width - supervisor.length - 2));
  const gap = Math.max(1, width - [...title].length - supervisor.length);
  const { merged, total } = model.progress;
  const counts = Object.entries(model.counts)
    .filter(([status]) => status !== 'merged')
    .map(([status, n]) => `${n} ${status}`)
    .join(' · ');
  const cost = `cost ${formatCost(model.cost)}`;
  const bar = progressBar(merged, total, width >= 120 ? 20 : 10);
  const progress = cut(
    `${merged} of ${total} merged${counts === '' ? '' : ` · ${counts}`}`,
    Math.max(10, width - bar.length - cost.length - 3),
  );
  const gap2 = Math.max(1, width - bar.length - 1 - [...progress].length - cost.length);
  return [
    [
      text(title, { bold: true }),
      text(' '.repeat(gap)),
      text(supervisor, model.supervisor.running ? { color: 'green' } : { dim: true }),
    ],
    [
      text(bar, { color: 'green' }),
      text(` ${progress}`),
      text(' '.repeat(gap2)),
      text(cost, { dim: model.cost === null }),
    ],
    ...queueLine(state),
    ...unreachableLines(state),
  ];
}

/** `host box1 unreachable since 12:03 (Connection refused)`, one line per host Flux cannot reach. */
function unreachableLines(state: UiState): Line[] {
  return state.model.hosts.unreachable.map((host) => [
    text(cut(unreachableLine(host, state.now), state.size.columns), { color: 'red' }),
  ]);
}

/** `merge queue: 1 a checking · 2 b` — only while something waits to land. */
function queueLine(state: UiState): Line[] {
  const { queue } = state.model;
  if (queue.length === 0) return [];
  const items = queue.map((q) => `${q.position} ${q.stage}${q.state === 'checking' ? ' checking' : ''}`);
  return [[text(cut(`merge queue: ${items.join(' · ')}`, state.size.columns), { color: 'cyan' })]];
}

// ---- waiting on you ---------------------------------------------------------------

export function attentionLines(state: UiState, max: number): Line[] {
  const { attention } = state.model;
  if (attention.length === 0) return [];
  const width = state.size.columns;
  const idWidth = Math.min(24, Math.max(...attention.map((a) => a.stage.length)));
  const shown = attention.length > max ? attention.slice(0, Math.max(0, max - 1)) : attention;
  const lines: Line[] = [[text(`Waiting on you (${attention.length})`, { color: 'yellow', bold: true })]];
  for (const item of shown) {
    const selected = item.stage === state.selected;
    const keys = `  [${item.keys}]`;
    const what = cut(item.what, Math.max(8, width - 4 - idWidth - keys.length));
    lines.push([
      text(selected ? '▸ ' : '  ', { color: 'yellow' }),
      text(fit(item.stage, idWidth), { bold: selected }),
      text(`  ${what}`),
      text(keys, { color: 'cyan' }),
    ]);
  }
  if (shown.length < attention.length)
    lines.push([
      text(`  … and ${attention.length - shown.length} more (tab jumps to the next)`, { dim: true }),
    ]);
  return lines;
}
