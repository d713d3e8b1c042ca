/**
 * Finding the tmux session to put a terminal on: what `flux attach` and the
 * dashboard's `enter` key both do before handing the terminal over. A
 * session on a host is reached with `ssh -t` and the host's tmux there
 * (`hostAttachArgv`), never by switching a local client to a remote server.
 * Every refusal says what to do instead.
 */
import { resolveTarget } from '../../engine/lookup.js';
import { isPaneId, type Runtime } from '../../engine/runtime.js';
import { attachOnHost } from '../../engine/runtime/host-attach.js';
import { sessionAlive, type SessionState, type StageState } from '../../engine/state.js';
import { nextStepFor } from '../../engine/verify.js';
import { RefusedError } from '../../errors.js';

export interface AttachPlan {
  stage: StageState;
  session: SessionState;
  /** The host it runs on; null: this machine. */
  host: string | null;
  /** `tmux attach-session …`, `switch-client …`, or `ssh -t … tmux … attach-session …`, to run with the terminal inherited. */
  argv: string[];
  /** `Attaching to … Detach with Ctrl+B D.` */
  banner: string;
}

/**
 * Refuses (exit 3) a stage without a session, a session started by hand, an
 * older session that is over, one whose tmux session is gone, and, when
 * `terminal` is false, any attach at all (with how to look without one);
 * `print` needs no terminal (the command line is printed, not run). A host
 * that cannot be reached is a HostUnreachableError (exit 5).
 */
export async function planAttach(
  runtime: Runtime,
  target: string,
  options: { terminal: boolean; print?: boolean },
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
  const host = session.host ?? null;
  const on = host === null ? '' : ` on ${host}`;
  if (!(await runtime.tmuxOn(host).hasSession(session.tmux))) {
    throw new RefusedError(
      `session ${session.id} of ${stage.id} is not alive: its tmux session ${session.tmux} does not exist${on} (the log says ${session.status})`,
      sessionAlive(session) || stage.status === 'running'
        ? `\`flux resume ${stage.id}\` starts a fresh session`
        : nextStepFor(state, stage),
    );
  }
  if (!options.terminal && options.print !== true) {
    const socket = runtime.tmux.socket === undefined ? '' : ` -L ${runtime.tmux.socket}`;
    throw new RefusedError(
      'flux attach needs a terminal (stdin and stdout are not one)',
      host === null
        ? `run it in a terminal; to look without attaching: tmux${socket} capture-pane -p -t '${isPaneId(session.tmux) ? session.tmux : `=${session.tmux}:`}'`
        : `run it in a terminal; \`flux attach ${stage.id} --print\` prints the ssh command that attaches, and \`l\` in \`flux ui\` shows its pane`,
    );
  }
  if (host !== null) {
    return {
      stage,
      session,
      host,
      argv: attachOnHost(runtime, host, session.tmux),
      banner: `Attaching to ${session.tmux} on ${host} (stage ${stage.id}, session ${session.id}) over ssh. Detach with Ctrl+B D.`,
    };
  }
  return {
    stage,
    session,
    host,
    argv: runtime.tmux.attachArgs(session.tmux),
    banner: `Attaching to ${session.tmux} (stage ${stage.id}, session ${session.id}). Detach with Ctrl+B D.`,
  };
}
