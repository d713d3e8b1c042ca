// Regenerates what is derived from the machines: docs/statecharts/*.md and
// src/machines/tables.generated.ts (run `npm run statecharts`, then rebuild).
// test/machines/statecharts.test.ts fails while either is stale.
import { writeFileSync } from 'node:fs';
import { compileTable } from '../dist/machines/table.js';
import { sessionMachine } from '../dist/machines/session.js';
import { stageMachine } from '../dist/machines/stage.js';
import { statechartPage, tablesModule } from '../dist/machines/render.js';

writeFileSync(
  new URL('../docs/statecharts/stage.md', import.meta.url),
  statechartPage(stageMachine, 'Stage lifecycle'),
);
writeFileSync(
  new URL('../docs/statecharts/session.md', import.meta.url),
  statechartPage(sessionMachine, 'Session lifecycle'),
);
writeFileSync(
  new URL('../src/machines/tables.generated.ts', import.meta.url),
  tablesModule(compileTable(stageMachine), compileTable(sessionMachine)),
);
console.log('wrote docs/statecharts/{stage,session}.md and src/machines/tables.generated.ts');
