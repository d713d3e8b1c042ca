/** The stage DAG as text, by layers: what `flux graph show` prints and the dashboard's `g` view shows. */
import { stageLayers } from '../engine/graph.js';
import type { FluxState } from '../engine/state.js';
import { paint, paintStatus, table } from './output.js';

/** The DAG as layers: a stage's layer is one more than its deepest dependency's. */
export function renderGraphText(state: FluxState): string {
  const layers = stageLayers(state);
  const ids = [...state.order].sort((a, b) => (layers.get(a) ?? 0) - (layers.get(b) ?? 0));
  const rows = ids.map((id) => {
    const stage = state.stages[id]!;
    const deps = stage.def.dependencies;
    return [
      String((layers.get(id) ?? 0) + 1),
      id,
      paintStatus(stage.status),
      deps.length === 0 ? '' : `← ${deps.join(', ')}`,
    ];
  });
  const title =
    state.plan === null ? '' : `${paint(state.plan.title, 'bold')}  ${paint(state.plan.path, 'dim')}\n\n`;
  return `${title}${table(['LAYER', 'STAGE', 'STATE', 'DEPENDS ON'], rows)}`;
}
