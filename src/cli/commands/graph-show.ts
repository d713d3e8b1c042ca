/** `flux graph show [--format text|mermaid|dot|json] [--machine stage|session]`. */
import { Engine } from '../../engine/engine.js';
import { graphToDot, graphToJson, graphToMermaid, stageLayers } from '../../engine/graph.js';
import type { FluxState } from '../../engine/state.js';
import { sessionMachine, stageMachine } from '../../machines/index.js';
import { machineToMermaid } from '../../machines/render.js';
import { paint, paintStatus, print, printJson, table } from '../output.js';

interface GraphShowOptions {
  format: 'text' | 'mermaid' | 'dot' | 'json';
  machine?: 'stage' | 'session';
}

export function run(options: GraphShowOptions): number {
  if (options.machine !== undefined) {
    print(machineToMermaid(options.machine === 'stage' ? stageMachine : sessionMachine));
    return 0;
  }
  const state = Engine.open().load();
  switch (options.format) {
    case 'mermaid':
      print(graphToMermaid(state));
      break;
    case 'dot':
      print(graphToDot(state));
      break;
    case 'json':
      printJson(graphToJson(state));
      break;
    default:
      print(renderGraphText(state));
  }
  return 0;
}

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
