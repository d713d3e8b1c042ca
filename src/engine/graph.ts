/**
 * Graph views over the folded state: layers for display and the rendered
 * forms `flux graph show` prints (text, mermaid, dot, json).
 */
import type { FluxState } from './state.js';

/** Each stage's layer: 0 for stages without dependencies, else 1 + the deepest dependency. */
export function stageLayers(state: FluxState): Map<string, number> {
  const layers = new Map<string, number>();
  const visit = (id: string): number => {
    const known = layers.get(id);
    if (known !== undefined) return known;
    const deps = state.stages[id]?.def.dependencies ?? [];
    const layer = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(visit));
    layers.set(id, layer);
    return layer;
  };
  for (const id of state.order) visit(id);
  return layers;
}

export function dependentsMap(state: FluxState): Map<string, string[]> {
  const map = new Map<string, string[]>(state.order.map((id) => [id, []]));
  for (const id of state.order) {
    for (const dep of state.stages[id]?.def.dependencies ?? []) map.get(dep)?.push(id);
  }
  return map;
}

/** Stages grouped by layer, each layer in plan order. */
export function layeredStages(state: FluxState): string[][] {
  const layers = stageLayers(state);
  const result: string[][] = [];
  for (const id of state.order) {
    const layer = layers.get(id) ?? 0;
    (result[layer] ??= []).push(id);
  }
  return result;
}

function mermaidId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, '_');
}

export function graphToMermaid(state: FluxState): string {
  const lines = ['flowchart TD'];
  for (const id of state.order) {
    const stage = state.stages[id]!;
    lines.push(`  ${mermaidId(id)}["${id}<br/>${stage.status}"]`);
  }
  for (const id of state.order) {
    for (const dep of state.stages[id]!.def.dependencies)
      lines.push(`  ${mermaidId(dep)} --> ${mermaidId(id)}`);
  }
  return lines.join('\n') + '\n';
}

export function graphToDot(state: FluxState): string {
  const lines = ['digraph flux {', '  rankdir=LR;', '  node [shape=box];'];
  for (const id of state.order) {
    lines.push(`  ${JSON.stringify(id)} [label=${JSON.stringify(`${id}\n${state.stages[id]!.status}`)}];`);
  }
  for (const id of state.order) {
    for (const dep of state.stages[id]!.def.dependencies)
      lines.push(`  ${JSON.stringify(dep)} -> ${JSON.stringify(id)};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** One row per stage, in plan order: what the graph views and the execution-graph file show. */
export function graphRows(state: FluxState) {
  const layers = stageLayers(state);
  const dependents = dependentsMap(state);
  return state.order.map((id) => {
    const stage = state.stages[id]!;
    return {
      id,
      name: stage.def.name,
      status: stage.status,
      layer: layers.get(id) ?? 0,
      dependencies: stage.def.dependencies,
      dependents: dependents.get(id) ?? [],
      parallel_group: stage.def.parallel_group,
      gate: stage.def.gate,
      acceptance: stage.def.acceptance,
      files: stage.def.files,
    };
  });
}

export function graphToJson(state: FluxState): object {
  return {
    plan: state.plan?.path ?? null,
    stages: graphRows(state).map((row) => ({ ...row, parallel_group: row.parallel_group ?? null })),
  };
}
