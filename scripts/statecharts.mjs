// Regenerates docs/statecharts/*.md from the compiled machines (run `npm run statecharts`).
import { writeFileSync } from 'node:fs';
import { sessionMachine, stageMachine } from '../dist/machines/index.js';
import { statechartPage } from '../dist/machines/render.js';

writeFileSync(new URL('../docs/statecharts/stage.md', import.meta.url), statechartPage(stageMachine, 'Stage lifecycle'));
writeFileSync(new URL('../docs/statecharts/session.md', import.meta.url), statechartPage(sessionMachine, 'Session lifecycle'));
console.log('wrote docs/statecharts/stage.md and docs/statecharts/session.md');
