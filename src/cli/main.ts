#!/usr/bin/env node
/**
 * The `flux` entry point. `flux hook …` runs on every agent turn, so it is
 * dispatched before anything else loads: it never pays for commander, zod
 * or XState (docs/hooks.md).
 */
import { ExitCode } from '../errors.js';
import { HOST_ENV } from '../hosts/protocol.js';
import { endQuietlyWhenOutputCloses } from './closed-output.js';

const [command, ...rest] = process.argv.slice(2);
const isHook = command === 'hook' && rest[0] !== undefined && !rest[0].startsWith('-');

// A hook always exits 0 (docs/hooks.md).
endQuietlyWhenOutputCloses(isHook ? ExitCode.ok : ExitCode.brokenPipe);

// On a host (docs/hosts.md) an agent's commands are relayed, before commander or zod load.
const onHost = !isHook && (process.env[HOST_ENV] ?? '') !== '';
const hostCode = onHost ? (await import('../hosts/host-cli.js')).runOnHost(command, rest, process.env) : null;

if (hostCode !== null) {
  process.exitCode = hostCode;
} else if (isHook) {
  const { runHook } = await import('../hooks/run.js');
  process.exitCode = runHook(rest);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(process.argv);
}
