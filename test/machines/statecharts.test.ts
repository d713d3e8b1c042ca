import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sessionMachine, stageMachine } from '../../src/machines/index.js';
import { compileTable } from '../../src/machines/table.js';
import { machineToMermaid, statechartPage, tablesModule } from '../../src/machines/render.js';

describe('docs/statecharts', () => {
  it.each([
    ['stage', stageMachine, 'Stage lifecycle'],
    ['session', sessionMachine, 'Session lifecycle'],
  ] as const)(
    'docs/statecharts/%s.md matches the machine (run `npm run statecharts` when this fails)',
    (name, machine, title) => {
      const onDisk = readFileSync(new URL(`../../docs/statecharts/${name}.md`, import.meta.url), 'utf8');
      expect(onDisk).toBe(statechartPage(machine, title));
    },
  );

  it('src/machines/tables.generated.ts matches the machines (run `npm run statecharts` when this fails)', () => {
    const onDisk = readFileSync(new URL('../../src/machines/tables.generated.ts', import.meta.url), 'utf8');
    expect(onDisk).toBe(tablesModule(compileTable(stageMachine), compileTable(sessionMachine)));
  });

  it('renders every transition of the stage machine', () => {
    const mermaid = machineToMermaid(stageMachine);
    expect(mermaid).toContain('[*] --> pending');
    expect(mermaid).toContain('ready --> running: stage.started / launchSession');
    expect(mermaid).toContain('merged --> [*]');
    expect(mermaid).toContain('note right of merged: entry / endSession, cleanupStage');
  });
});
