/** `flux graph show [--format text|mermaid|dot|json] [--machine stage|session]`. */
import { Engine } from '../../engine/engine.js';
import { graphToDot, graphToJson, graphToMermaid } from '../../engine/graph.js';
import { sessionMachine, stageMachine } from '../../machines/index.js';
import { machineToMermaid } from '../../machines/render.js';
import { renderGraphText } from '../graph-text.js';
import { print, printJson } from '../output.js';

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
