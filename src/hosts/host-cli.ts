/**
 * `flux <command>` run on a host (FLUX_HOST set, in an agent's session
 * there): the agent's own commands (`done`, `handoff`, `status`) are relayed
 * to the machine that runs the plan and answered from there; `hook`, `agent`
 * and `host` run here as anywhere; every other command is refused. That is
 * also the human gate: approve, deny, verify and the rest can never come
 * from a host, whatever runs there.
 */
import { ENV } from '../agents/protocol.js';
import { ExitCode } from '../errors.js';
import { RELAYED_COMMANDS, type RelayedCommand } from './protocol.js';
import { COMMAND_REPLY_MS, relayCommand } from './relay.js';

/** The commands that run on the host itself. */
const RUN_HERE = new Set(['hook', 'agent', 'host']);

function fail(message: string, hint: string, code: number): number {
  process.stderr.write(`error: ${message}\nhint: ${hint}\n`);
  return code;
}

/**
 * Handles `flux <command> …rest` on a host; null when it runs as usual
 * (here: hook, agent, host, and `--help`/`--version` or no command at all).
 */
export function runOnHost(
  command: string | undefined,
  rest: string[],
  env: NodeJS.ProcessEnv,
): number | null {
  if (command === undefined || command.startsWith('-') || RUN_HERE.has(command)) return null;
  if (!(RELAYED_COMMANDS as readonly string[]).includes(command)) {
    return fail(
      `flux ${command} runs on the machine that runs the plan, not on a host`,
      'run it there; an agent on a host has flux done, flux handoff and flux status',
      ExitCode.refused,
    );
  }
  if (!env[ENV.workDir] || !env[ENV.session] || !env[ENV.stage]) {
    return fail(
      `flux ${command} on a host runs inside Flux's agent session there (FLUX_SESSION, FLUX_STAGE and FLUX_WORK_DIR are not all set)`,
      'run it on the machine that runs the plan',
      ExitCode.usage,
    );
  }
  let reply;
  try {
    reply = relayCommand([command as RelayedCommand, ...rest], env);
  } catch (error) {
    return fail(
      `flux ${command} could not be sent from this host: ${(error as Error).message}`,
      `check that ${env[ENV.workDir]} can be written (a full disk?)`,
      ExitCode.io,
    );
  }
  if (reply === null) {
    return fail(
      `no answer from the machine that runs the plan in ${COMMAND_REPLY_MS / 60_000} minutes`,
      'the request stays in the spool and is applied when the link is back; `flux status` says where the stage is',
      ExitCode.external,
    );
  }
  process.stdout.write(reply.stdout);
  process.stderr.write(reply.stderr);
  return reply.exitCode;
}
