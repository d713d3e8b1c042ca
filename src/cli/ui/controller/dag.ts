/**
 * The DAG `g` shows instead of the table: `flux graph show`'s table, without
 * its title (the dashboard's header already names the plan).
 */
import type { FluxState } from '../../../engine/state.js';
import { renderGraphText } from '../../graph-text.js';
import { stripAnsi } from '../text.js';

export function dagLines(state: FluxState, color: boolean): string[] {
  const text = renderGraphText(state);
  const lines = (color ? text : stripAnsi(text)).split('\n');
  const table = lines.findIndex((line) => stripAnsi(line).startsWith('LAYER'));
  return table < 0 ? lines : lines.slice(table);
}
