/**
 * Finding the tmux session to put a terminal on: what `flux attach` and the
 * dashboard's `enter` key both do before handing the terminal to tmux. Every
 * refusal says what to do instead.
 */
import { resolveTarget } from '../../engine/lookup.js';
import { isPaneId, type Runtime } from '../../engine/runtime.js';
import { sessionAlive, type SessionState, type StageState } from '../../engine/state.js';
import { nextStepFor } from '../../engine/verify.js';
import { RefusedError } from '../../errors.js';

export interface AttachPlan {
  stage: StageState;
  session: SessionState;
  /** `tmux attach-session …` or `switch-client …`, to run with the terminal inherited. */
  argv: string[];
  /** `Attaching to … Detach with Ctrl+B D.` */
  banner: string;
}

/**
 * Refuses (exit 3) a stage without a session, a session started by hand, an
 * older session that is over, one whose tmux session is gone, and, when
 * `terminal` is false, any attach at all (with how to look without one).
 */
export async function planAttach(
  runtime: Runtime,
  target: string,
  options: { terminal: boolean },
): Promise<AttachPlan> {
  const state = runtime.engine.load();
  const { stage, session } = resolveTarget(state, target);
  if (session === null) {
    throw new RefusedError(
      `stage '${stage.id}' has no session to attach to (it is ${stage.status})`,
      nextStepFor(state, stage),
    );
  }
  if (session.tmux === '') {
    throw new RefusedError(
      `session ${session.id} was started by hand (flux run --manual): it has no tmux session`,
      'look at the terminal where you started it',
    );
  }
  const current = stage.session === session.id;
  if (!current && !sessionAlive(session)) {
    throw new RefusedError(
      `session ${session.id} is ${session.status}; the current session of ${stage.id} is ${stage.session}`,
      `\`flux attach ${stage.id}\` attaches to the current one`,
    );
  }
  if (!(await runtime.tmux.hasSession(session.tmux))) {
    throw new RefusedError(
      `session ${session.id} of ${stage.id} is not alive: its tmux session ${session.tmux} does not exist (the log says ${session.status})`,
      sessionAlive(session) || stage.status === 'running'
        ? `\`flux resume ${stage.id}\` starts a fresh session`
        : nextStepFor(state, stage),
    );
  }
  if (!options.terminal) {
    const socket = runtime.tmux.socket === undefined ? '' : ` -L ${runtime.tmux.socket}`;
    throw new RefusedError(
      'flux attach needs a terminal (stdin and stdout are not one)',
      `run it in a terminal; to look without attaching: tmux${socket} capture-pane -p -t '${isPaneId(session.tmux) ? session.tmux : `=${session.tmux}:`}'`,
    );
  }
  return {
    stage,
    session,
    argv: runtime.tmux.attachArgs(session.tmux),
    banner: `Attaching to ${session.tmux} (stage ${stage.id}, session ${session.id}). Detach with Ctrl+B D.`,
  };
}
