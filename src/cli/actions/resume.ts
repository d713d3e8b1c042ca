/**
 * A fresh session for a stage that stopped: what `flux resume` and the
 * dashboard's `r` key both do. Refusals come first (a live session, nothing
 * to resume), before anything needs tmux or git; then the session is
 * recorded and launched through the runtime. Carrying on after it (a
 * supervisor to follow the new session) is the caller's next step,
 * `carryOnAfter`, once the resume is said.
 */
import { budgetHold, describeUse, raiseCommand } from '../../engine/budget.js';
import { requireStage } from '../../engine/lookup.js';
import type { Runtime } from '../../engine/runtime.js';
import { isHostUnreachable } from '../../engine/runtime/host-views.js';
import { currentSession, stageHost, type SessionState } from '../../engine/state.js';
import { LOCAL_HOST } from '../../engine/hosts.js';
import type { StageStatus } from '../../machines/index.js';
import { decideResume } from '../../engine/verify.js';
import { ExternalError, RefusedError } from '../../errors.js';
import { shownPath } from '../merge-report.js';
import { paint } from '../output.js';

export interface Resumed {
  id: string;
  wasStatus: StageStatus;
  /** Why it had stopped (a rejection's reason, a failure). */
  reason: string | null;
  /** The handoff document the new session continues from, relative to `.work/`. */
  handoff: string | undefined;
  session: SessionState;
  worktree: string;
}

/** Resumes the stage; null when nothing was started. ExternalError (exit 5) when the agent could not start. */
export async function resumeStage(runtime: Runtime, id: string): Promise<Resumed | null> {
  runtime.checkAgent();
  const state = runtime.engine.load();
  const stage = requireStage(state, id);
  const before = currentSession(state, stage);
  // Asked where the session runs: its host's server for a session on a host. A host that does not
  // answer is an error (exit 5), not a session taken for gone: a second agent would work on the branch.
  const tmuxAlive =
    before !== null &&
    before.tmux !== '' &&
    (await runtime
      .tmuxOn(before.host)
      .hasSession(before.tmux)
      .catch((error: unknown) => {
        if (isHostUnreachable(error)) throw error;
        return false;
      }));
  // Where its worktree is (a host's), else where the config pins it.
  const host = stageHost(state, id) ?? runtime.config.stages[id]?.host;
  const options = {
    agent: runtime.config.run.agent,
    sessionPrefix: runtime.config.tmux.session_prefix,
    tmuxAlive,
    ...(host === undefined || host === LOCAL_HOST ? {} : { host }),
  };
  // Refusals first, before anything needs tmux or git.
  decideResume(state, id, options);
  // A fresh session would be told at its first stop to hand off again: the budget is the person's call.
  const hold = budgetHold(state, stage, runtime.config.budget, Date.now());
  if (hold !== null)
    throw new RefusedError(
      `${id} waits on ${hold.scope === 'stage' ? 'its' : "the plan's"} budget: ${describeUse(hold.use)} spent`,
      `raise it with \`${raiseCommand(hold.scope === 'stage' ? id : null, hold.use.kind)}\`: the stage then goes on by itself`,
    );
  runtime.baseBranch(state);
  await runtime.tmux.isInstalled();

  const wasStatus = stage.status;
  const handoff = stage.status === 'needs_handoff' ? stage.handoffs.at(-1) : undefined;
  const reason = stage.reason;
  const { events } = await runtime.commitAndRun((current) => decideResume(current, id, options));
  const started = events.find((event) => event.type === 'session.started');
  if (started === undefined || started.type !== 'session.started') return null;

  const after = runtime.engine.load();
  const session = after.sessions[started.session]!;
  if (session.status === 'crashed' || after.stages[id]!.status === 'failed') {
    throw new ExternalError(
      `${id}: session ${session.id} could not start: ${session.endReason ?? after.stages[id]!.reason ?? 'unknown'}`,
      `\`flux status\` shows the stage; fix the cause and run \`flux resume ${id}\` again`,
    );
  }
  return { id, wasStatus, reason, handoff, session, worktree: runtime.worktreePath(id) };
}

export function resumedLines(runtime: Runtime, resumed: Resumed): string[] {
  const { id, wasStatus, reason, handoff, session } = resumed;
  return [
    `${paint(`Resumed ${id}`, 'green')} (was ${wasStatus}${reason === null ? '' : `: ${reason}`}): session ${session.id} in tmux session ${session.tmux}, worktree ${shownPath(runtime, resumed.worktree)}.`,
    handoff !== undefined
      ? `It continues from the handoff .work/${handoff}.`
      : wasStatus === 'rejected'
        ? 'It is told why the stage was rejected.'
        : 'It is told what the previous sessions committed on the branch.',
    `Its first prompt: .work/signals/${session.id}.md`,
    `Watch it with \`flux attach ${id}\`; \`flux run\` follows it (handoffs, merges, what starts next).`,
  ];
}
