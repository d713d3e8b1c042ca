/**
 * What the supervisor runs on a host over ssh on every start and relay
 * (`flux host launch`, `flux host drain`; docs/hosts.md), dispatched before
 * commander loads, as hooks are: each call is on a start's way. Errors are
 * one line on stderr, which the supervisor quotes, and their exit code.
 */
import { ExitCode, FluxError } from '../errors.js';

export async function runHostCall([call, ...args]: readonly string[]): Promise<number> {
  try {
    if (call === 'launch') return await (await import('./commands/host-launch.js')).run();
    return await (await import('./commands/host-drain.js')).run(args[0]!);
  } catch (error) {
    const known = error instanceof FluxError;
    process.stderr.write(`${(error as Error).message}\n`);
    return known ? error.exitCode : ExitCode.internal;
  }
}
