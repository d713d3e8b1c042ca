/**
 * Renders a machine as a mermaid state diagram, read from the machine itself
 * (its states, transitions, actions and descriptions), so the pictures in
 * docs/statecharts can never drift from the code: a test regenerates them.
 */
import type { AnyStateMachine } from 'xstate';

function actionNames(actions: readonly unknown[]): string[] {
  return actions
    .map((action) =>
      typeof action === 'object' && action !== null && 'type' in action ? String(action.type) : '',
    )
    .filter((name) => name !== '' && !name.startsWith('xstate.'));
}

export function machineToMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const initial = machine.root.initial?.target[0]?.key;
  if (initial !== undefined) lines.push(`  [*] --> ${initial}`);
  for (const [name, node] of Object.entries(machine.states)) {
    for (const [eventType, transitions] of node.transitions) {
      for (const transition of transitions) {
        const target = transition.target?.[0]?.key ?? name;
        const effects = actionNames(transition.actions);
        const label = effects.length === 0 ? eventType : `${eventType} / ${effects.join(', ')}`;
        lines.push(`  ${name} --> ${target}: ${label}`);
      }
    }
    if (node.type === 'final') lines.push(`  ${name} --> [*]`);
  }
  for (const [name, node] of Object.entries(machine.states)) {
    const entry = actionNames(node.entry);
    if (entry.length > 0) lines.push(`  note right of ${name}: entry / ${entry.join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The markdown page for docs/statecharts/<machine>.md. */
export function statechartPage(machine: AnyStateMachine, title: string): string {
  const states = Object.entries(machine.states)
    .map(([name, node]) => `| \`${name}\` | ${node.description ?? ''} |`)
    .join('\n');
  return `# ${title}

<!-- Generated from src/machines/${machine.id}.ts by \`flux graph show --machine ${machine.id}\`; test/machines/statecharts.test.ts fails when this file is stale. Regenerate with \`npm run statecharts\`. -->

Transitions are labelled \`event / effect requests\`. Effect requests are
performed by the engine after the event is appended (see docs/architecture.md).

\`\`\`mermaid
${machineToMermaid(machine)}\`\`\`

| state | meaning |
| --- | --- |
${states}
`;
}

/**
 * The lookup tables as a TypeScript module, so that replay and the hook path
 * need neither XState nor the machines at run time.
 */
export function tablesModule(
  stage: Record<string, Record<string, string>>,
  session: Record<string, Record<string, string>>,
): string {
  return `// Generated from src/machines/stage.ts and session.ts by scripts/statecharts.mjs; do not edit.
// test/machines/statecharts.test.ts fails when this file no longer matches the machines.
import type { TransitionTable } from './table.js';

export const STAGE_TABLE: TransitionTable = ${JSON.stringify(stage, null, 2)};

export const SESSION_TABLE: TransitionTable = ${JSON.stringify(session, null, 2)};
`;
}
