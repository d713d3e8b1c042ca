#!/usr/bin/env node
/**
 * The `flux` entry point. `flux hook …` runs on every agent turn, so it is
 * dispatched before anything else loads: it never pays for commander, zod
 * or XState (docs/hooks.md). So are the calls the supervisor makes to a
 * host's Flux on every start (`flux host launch`, `flux host drain`).
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

// What the supervisor runs on a host on every start (docs/hosts.md), also before commander.
// Only their exact forms: anything else (--help, a missing argument) is commander's to answer.
const hostCall =
  command === 'host' &&
  ((rest[0] === 'launch' && rest.length === 1) ||
    (rest[0] === 'drain' && rest.length === 2 && !rest[1]!.startsWith('-')));

if (hostCode !== null) {
  process.exitCode = hostCode;
} else if (hostCall) {
  const { runHostCall } = await import('./host-call.js');
  process.exitCode = await runHostCall(rest);
} else if (isHook) {
  const { runHook } = await import('../hooks/run.js');
  process.exitCode = runHook(rest);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(process.argv);
}
