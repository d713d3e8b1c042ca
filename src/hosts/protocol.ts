/**
 * What a host and this machine say to each other (docs/hosts.md). The one
 * event log stays here; on a host, every call an agent makes into Flux (its
 * hooks, its exit, `flux done`, `flux handoff`, `flux status`) becomes a
 * request file in the host's spool, which the supervisor drains over the
 * multiplexed ssh connection, applies here exactly as a local call would be
 * applied, and answers: the reply goes back to the host, and only then is the
 * request removed there (the acknowledgement). A request is applied once: its
 * reply is kept here under its id, so one sent again after a dropped
 * connection is answered from that, not applied twice.
 */
import type { HookName } from '../agents/protocol.js';

/** Set in the environment of every agent Flux starts on a host: the host's name. Its Flux calls relay. */
export const HOST_ENV = 'FLUX_HOST';

/** Set by the drain for a Stop relayed from a host: the transcript's token count, read there. */
export const TRANSCRIPT_TOKENS_ENV = 'FLUX_TRANSCRIPT_TOKENS';

/** The agent commands a host may relay; a person's commands (approve, verify, …) are never among them. */
export const RELAYED_COMMANDS = ['done', 'handoff', 'status'] as const;
export type RelayedCommand = (typeof RELAYED_COMMANDS)[number];

interface RequestBase {
  /** Unique per call (a random UUID): the key of the acknowledgement and of the reply kept here. */
  id: string;
  /** When the call was made on the host (ISO). */
  at: string;
  /** FLUX_SESSION and FLUX_STAGE of the calling agent. */
  session: string;
  stage: string;
  /** The agent's FLUX_* settings (the hook thresholds, FLUX_AGENT_SESSION_ID), as the hook reads them. */
  env: Record<string, string>;
  /** The stage's handoff documents on the host, by name under `handoffs/` (a handoff written there comes here). */
  handoffs?: Record<string, string>;
}

export type RelayRequest =
  | (RequestBase & { kind: 'hook'; hook: HookName; stdin: string; tokens?: number | null })
  | (RequestBase & { kind: 'exit'; status: number })
  | (RequestBase & { kind: 'cli'; argv: [RelayedCommand, ...string[]] });

export interface RelayReply {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** One line of the drain's stream, host → here. */
export type DrainLine = { request: RelayRequest } | { ready: { pending: number } };

/** One line here → host: the request is applied and this is its answer. */
export interface AckLine {
  ack: string;
  reply: RelayReply;
}
