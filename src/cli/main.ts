#!/usr/bin/env node
/**
 * The `flux` entry point. `flux hook …` runs on every agent turn, so it is
 * dispatched before anything else loads: it never pays for commander, zod
 * or XState (docs/hooks.md).
 */
const [command, ...rest] = process.argv.slice(2);

if (command === 'hook' && rest[0] !== undefined && !rest[0].startsWith('-')) {
  const { runHook } = await import('../hooks/run.js');
  process.exitCode = runHook(rest);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(process.argv);
}
