/**
 * Where stages and sessions run, as the views show it (`flux status`, the
 * dashboard, `flux sessions`, `flux attach list`; docs/hosts.md): `local` or
 * a `[hosts.<name>]`, a host Flux cannot reach marked `✗`, and the line that
 * says since when and why. Pure: from the folded state.
 */
import { LOCAL_HOST } from './hosts.js';
import type { FluxState, SessionState } from './state.js';
import { stageHost } from './state.js';

/** A host the log says cannot be reached (`host.unreachable`, until `host.reachable`). */
export interface UnreachableHost {
  host: string;
  /** ssh's words. */
  reason: string;
  /** When it was first found unreachable (ISO). */
  since: string;
}

/** The mark after a host that cannot be reached: `box1 ✗`. */
export const UNREACHABLE_MARK = '✗';

/** The machine a session runs on: its host, or `local`. */
export function sessionMachine(session: Pick<SessionState, 'host'>): string {
  return session.host ?? LOCAL_HOST;
}

/**
 * The machine a stage is on: its last session's host, or `local`; null for
 * a stage that has had no session yet (it is placed when it starts).
 */
export function stageMachine(state: FluxState, id: string): string | null {
  if ((state.stages[id]?.sessions.length ?? 0) === 0) return null;
  return stageHost(state, id) ?? LOCAL_HOST;
}

/** The hosts that cannot be reached, by name. */
export function unreachableHosts(state: FluxState): UnreachableHost[] {
  return Object.entries(state.unreachable ?? {})
    .map(([host, { reason, since }]) => ({ host, reason, since }))
    .sort((a, b) => a.host.localeCompare(b.host));
}

/**
 * Whether a view has a HOST column: when one of its rows is on a host, a host
 * is known to be unreachable, or the config names hosts. A repository that
 * uses no host never sees one.
 */
export function showsHosts(
  machines: Iterable<string | null>,
  unreachable: readonly UnreachableHost[],
  configured: readonly string[],
): boolean {
  if (configured.length > 0 || unreachable.length > 0) return true;
  for (const machine of machines) if (machine !== null && machine !== LOCAL_HOST) return true;
  return false;
}

/** A HOST cell: `box1`, `box1 ✗` when it cannot be reached, `local`, `-` for not placed yet. */
export function hostCell(machine: string | null, unreachable: readonly UnreachableHost[]): string {
  if (machine === null) return '-';
  return unreachable.some((u) => u.host === machine) ? `${machine} ${UNREACHABLE_MARK}` : machine;
}

/** `12:03` today (local time); `2026-11-20 12:03` on another day. */
export function clockTime(iso: string, now: number = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = at.toTimeString().slice(0, 5);
  const today = new Date(now);
  const sameDay =
    at.getFullYear() === today.getFullYear() &&
    at.getMonth() === today.getMonth() &&
    at.getDate() === today.getDate();
  if (sameDay) return time;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
}

/** `host box1 unreachable since 12:03 (Connection refused)`. */
export function unreachableLine(host: UnreachableHost, now: number = Date.now()): string {
  return `host ${host.host} unreachable since ${clockTime(host.since, now)} (${host.reason})`;
}
