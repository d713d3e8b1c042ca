/**
 * Moving the selection in the table: by a number of rows (arrows, pages,
 * home and end), or to the next stage waiting on the person (tab). Pure:
 * the row to select, or undefined when there is nothing to move to.
 */
import type { DashboardModel } from '../model.js';

export function moveSelection(
  model: DashboardModel,
  selected: string | null,
  delta: number,
): string | undefined {
  const rows = model.rows;
  if (rows.length === 0) return undefined;
  const at = Math.max(
    0,
    rows.findIndex((row) => row.id === selected),
  );
  const next = Math.max(0, Math.min(rows.length - 1, at + delta));
  return rows[next]!.id;
}

export function nextAttention(model: DashboardModel, selected: string | null): string | undefined {
  const { rows, attention } = model;
  if (attention.length === 0) return undefined;
  const waiting = rows.filter((row) => row.attention !== null);
  const at = waiting.findIndex((row) => row.id === selected);
  return waiting[(at + 1) % waiting.length]!.id;
}
