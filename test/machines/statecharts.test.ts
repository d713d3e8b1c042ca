import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sessionMachine, stageMachine } from '../../src/machines/index.js';
import { machineToMermaid, statechartPage } from '../../src/machines/render.js';

describe('docs/statecharts', () => {
  it.each([
    ['stage', stageMachine, 'Stage lifecycle'],
    ['session', sessionMachine, 'Session lifecycle'],
  ] as const)('docs/statecharts/%s.md matches the machine (run `npm run statecharts` when this fails)', (name, machine, title) => {
    const onDisk = readFileSync(new URL(`../../docs/statecharts/${name}.md`, import.meta.url), 'utf8');
    expect(onDisk).toBe(statechartPage(machine, title));
  });

  it('renders every transition of the stage machine', () => {
    const mermaid = machineToMermaid(stageMachine);
    expect(mermaid).toContain('[*] --> pending');
    expect(mermaid).toContain('ready --> running: stage.started / launchSession');
    expect(mermaid).toContain('merged --> [*]');
    expect(mermaid).toContain('note right of merged: entry / endSession, cleanupStage, readyDependents');
  });
});
