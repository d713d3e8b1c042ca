/**
 * The DAG in the table's place (`g`): the lines of `flux graph show`,
 * scrolled so the selected stage is in view, and marked.
 */
import type { UiState } from '../state.js';
import { cut } from '../text.js';
import { text, type Line } from './segment.js';

export function graphLines(state: UiState, graph: readonly string[], visible: number): Line[] {
  const width = state.size.columns;
  const at = graph.findIndex((line) => line.split(/\s+/)[1] === state.selected);
  const start = at < 0 ? 0 : Math.max(0, Math.min(graph.length - visible, at - Math.floor(visible / 2)));
  return graph.slice(start, start + visible).map((line, i) => {
    const selected = start + i === at;
    return [text(cut(`${selected ? '▸ ' : '  '}${line}`, width), { bold: selected })];
  });
}
