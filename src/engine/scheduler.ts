/**
 * Which stages get a session now (pure). A stage is started when it is
 * ready, needs a fresh session after a handoff, was rejected, was sent back
 * by the merge queue (a conflict, failed checks), or is running
 * with a session that died (restarted at most MAX_CRASH_RESTARTS times in a
 * row), while fewer than `maxParallel` sessions are alive.
 */
import { randomUUID } from 'node:crypto';
import { takesAgentSessionId } from '../agents/protocol.js';
import type { NewEvent } from '../log/events.js';
import { toSessionName } from '../plan/stage-id.js';
import { settle, type Decision } from './decide.js';
import {
  currentSession,
  isTask,
  liveSessions,
  sessionAlive,
  tasksOf,
  type FluxState,
  type SessionState,
  type StageState,
} from './state.js';
import { nextTaskTarget, taskAgent } from './task.js';

export const MAX_CRASH_RESTARTS = 2;

export interface StartOptions {
  maxParallel: number;
  /** Only this stage (`flux run --stage`). */
  only?: string;
  agent: string;
  sessionPrefix: string;
  /** Sessions a person starts by hand: no tmux session (`flux run --manual`). */
  manual?: boolean;
}

function crashedInARow(state: FluxState, stage: StageState): number {
  let count = 0;
  for (const id of [...stage.sessions].reverse()) {
    if (state.sessions[id]?.status !== 'crashed') break;
    count++;
  }
  return count;
}

/** Why a stage wants a session now, or null. */
export function wantsSession(
  state: FluxState,
  stage: StageState,
): 'ready' | 'handoff' | 'rejected' | 'crashed' | 'resolve' | null {
  switch (stage.status) {
    case 'ready':
      return 'ready';
    case 'verified':
    case 'completed':
      // The merge queue sent it back (a conflict to resolve, checks to make pass), or a conflict is foreseen.
      return stage.resolution?.due === true ? 'resolve' : null;
    case 'needs_handoff':
      return 'handoff';
    case 'rejected':
      return 'rejected';
    case 'running': {
      // A crash is restarted (a few times); a session a person or the agent ended is not: `flux resume` is.
      const session = currentSession(state, stage);
      const crashed = session === null || session.status === 'crashed';
      return crashed && crashedInARow(state, stage) <= MAX_CRASH_RESTARTS ? 'crashed' : null;
    }
    default:
      return null;
  }
}

/** The tmux session of a plan stage's sessions: the configured prefix and the stage id. */
export function tmuxNameFor(prefix: string, stage: string): string {
  return toSessionName(`${prefix}${stage}`);
}

/** The events that start one stage's next session. */
export function startEvents(
  state: FluxState,
  stage: StageState,
  agent: string,
  sessionPrefix: string,
  manual = false,
): NewEvent[] {
  const session = `${stage.id}.s${stage.sessions.length + 1}`;
  // One live session per stage: the one that handed off (or is being replaced) is over now.
  const previous = currentSession(state, stage);
  const ending: NewEvent[] =
    previous !== null && sessionAlive(previous)
      ? [{ type: 'session.ended', session: previous.id, reason: `replaced by ${session}` }]
      : [];
  const handoff = stage.status === 'needs_handoff' ? stage.handoffs.at(-1) : undefined;
  const resolving = resolvingFor(stage, previous);
  return [
    ...ending,
    { type: 'stage.started', stage: stage.id, session },
    {
      type: 'session.started',
      session,
      stage: stage.id,
      agent,
      tmux: manual ? '' : isTask(stage) ? nextTaskTarget(state, stage) : tmuxNameFor(sessionPrefix, stage.id),
      // Chosen here, so it is in the log before the agent starts and speaks with it.
      ...(takesAgentSessionId(agent) ? { agent_session_id: randomUUID() } : {}),
      ...(handoff === undefined ? {} : { handoff }),
      ...(stage.status === 'rejected' && stage.reason !== null ? { feedback: stage.reason } : {}),
      ...(resolving === undefined ? {} : { resolving }),
    },
  ];
}

/**
 * Whether the next session resolves a merge: one the queue sent back, or one
 * that carries on a resolver session (after a crash, a handoff, a resume).
 */
function resolvingFor(stage: StageState, previous: SessionState | null): 'conflict' | 'checks' | undefined {
  if (stage.status === 'verified' || stage.status === 'completed')
    return stage.resolution?.due === true ? stage.resolution.cause : undefined;
  if (stage.status === 'rejected' || stage.resolution === null || stage.resolution === undefined)
    return undefined;
  return previous?.resolving ?? undefined;
}

export function decideStarts(state: FluxState, options: StartOptions): Decision {
  let free = options.maxParallel - liveSessions(state).length;
  const proposed: NewEvent[] = [];
  // Stages already in progress (handoff, rejected, crashed) before fresh ones.
  const candidates = state.order
    .map((id) => state.stages[id]!)
    .filter((stage) => options.only === undefined || stage.id === options.only)
    .map((stage) => ({ stage, why: wantsSession(state, stage) }))
    .filter((c) => c.why !== null)
    .sort((a, b) => Number(a.why === 'ready') - Number(b.why === 'ready'));
  for (const { stage } of candidates) {
    if (free <= 0) break;
    proposed.push(
      ...startEvents(state, stage, options.agent, options.sessionPrefix, options.manual === true),
    );
    free--;
  }
  // Ad hoc tasks start with `flux task run`, never here, and take no slot;
  // what applies to every session does apply: a task that handed off continues.
  if (options.manual !== true) {
    for (const task of tasksOf(state)) {
      if (options.only !== undefined && task.id !== options.only) continue;
      if (wantsSession(state, task) === 'handoff')
        proposed.push(
          ...startEvents(state, task, taskAgent(state, task, options.agent), options.sessionPrefix),
        );
    }
  }
  return settle(state, proposed);
}
