/**
 * A session's lifecycle events: the agent started, working and idle, its
 * permission questions and their answers, its context figure, the handoff,
 * and how it ended.
 */
import { z } from 'zod';
import { byHuman, event, sessionId, stageId } from './envelope.js';

export const sessionStarted = event('session.started', {
  session: sessionId,
  stage: stageId,
  /** `claude`, `sim` or the name of a command agent. */
  agent: z.string(),
  /** The tmux session the agent runs in. */
  tmux: z.string(),
  /** The agent's own session id when Flux chose it (claude `--session-id`). */
  agent_session_id: z.string().optional(),
  /** The handoff this session continues from, relative to `.work/`. */
  handoff: z.string().optional(),
  /** Why the stage's last attempt was rejected, for this session's first prompt. */
  feedback: z.string().optional(),
  /** A session the merge queue started: to resolve a conflict with the base, or to make the checks pass. */
  resolving: z.enum(['conflict', 'checks']).optional(),
  /** The `[hosts.<name>]` it runs on; absent: this machine (docs/hosts.md). */
  host: z.string().min(1).optional(),
});

export const sessionWorking = event('session.working', { session: sessionId });

export const sessionIdle = event('session.idle', { session: sessionId });

export const sessionWaitingPermission = event('session.waiting_permission', {
  session: sessionId,
  tool: z.string(),
  /** A one-line summary of what the tool wants to do. */
  detail: z.string(),
});

/** A person answered the permission question (`flux approve` / `flux deny`); the waiting hook passes it on. */
export const sessionPermissionAnswered = event('session.permission_answered', {
  session: sessionId,
  decision: z.enum(['allow', 'deny']),
  /** Told to the agent with a denial. */
  reason: z.string().optional(),
  by: byHuman,
});

/** The status line reported a new context figure. */
export const sessionContext = event('session.context', {
  session: sessionId,
  percent: z.number().min(0).max(100),
  /** The context window in tokens, as the status line reports it. */
  window: z.number().int().positive().optional(),
});

/**
 * The status line reported what the session has spent so far (Claude Code's
 * running totals for the session): recorded when the cost changed, at most
 * every few seconds (docs/budgets.md).
 */
export const sessionCost = event('session.cost', {
  session: sessionId,
  /** `cost.total_cost_usd`. */
  usd: z.number().nonnegative(),
  /** `context_window.total_input_tokens` + `total_output_tokens`; absent when not reported. */
  tokens: z.number().int().nonnegative().optional(),
});

/** Flux told the agent to write a handoff (threshold reached, auto-compaction blocked, or a budget reached). */
export const sessionHandingOff = event('session.handing_off', {
  session: sessionId,
  trigger: z.enum(['threshold', 'precompact', 'manual', 'budget']),
});

/** A stop was answered with a reminder to finish (or to hand off); counted to keep reminders bounded. */
export const sessionReminded = event('session.reminded', { session: sessionId });

export const sessionEnded = event('session.ended', {
  session: sessionId,
  reason: z.string(),
});

export const sessionCrashed = event('session.crashed', {
  session: sessionId,
  reason: z.string(),
});
