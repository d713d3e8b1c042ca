/**
 * The dashboard approves, rejects, merges and answers permission questions:
 * a person's decisions, so it must not run inside one of Flux's agent
 * sessions. This is the one place its entry checks that. The full check for
 * the human-only commands (`refuseInsideAgent`, which also looks at the
 * process's ancestry and tmux panes) is being added beside the commands;
 * once it exists, call it from here: `await refuseInsideAgent('flux ui')`.
 * Until then this refuses what every agent session Flux starts carries: the
 * FLUX_SESSION variable.
 */
import { RefusedError } from '../../errors.js';

export async function refuseInsideAgentSession(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const session = env.FLUX_SESSION;
  if (session === undefined || session === '') return;
  throw new RefusedError(
    `${command} must be run by a person: this runs inside Flux's agent session ${session} (FLUX_SESSION is set)`,
    "run it from your own terminal, outside the agent's tmux session; an agent cannot approve, reject or merge its own work, nor answer its own permission questions",
  );
}
