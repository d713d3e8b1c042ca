/**
 * The agent's side of the relay, on a host (FLUX_HOST set): a hook call, the
 * exit report or `flux done`/`handoff`/`status` becomes a request in the
 * host's spool, and the answer the machine running the plan sends back is
 * what the call prints. Nothing is decided here: the one event log is there.
 *
 * What goes along is what the call there needs and cannot read itself: the
 * agent's FLUX_* settings, the stage's handoff documents (written here, read
 * there by `flux handoff` and the next session), and at a Stop the
 * transcript's token count (the transcript is a file of this host).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ENV, type HookName } from '../agents/protocol.js';
import { tokensFromTranscript } from '../hooks/transcript.js';
import { sleepSync } from '../log/sleep.js';
import type { RelayReply, RelayRequest, RelayedCommand } from './protocol.js';
import { spoolRequest, takeReply } from './spool.js';

/** How often a waiting call looks for its reply. */
export const REPLY_POLL_MS = 50;
/** A hook waits this long for its answer (Claude Code gives a hook 30 s); a PermissionRequest, its wait more. */
export const HOOK_REPLY_MS = 20_000;
/** `flux done` runs the acceptance commands there: its answer may take long. */
export const COMMAND_REPLY_MS = 2 * 60 * 60 * 1000;
/** A handoff document larger than this is not carried (no handoff is anywhere near it). */
export const HANDOFF_MAX_BYTES = 1024 * 1024;

/** The settings that are not carried: the host's own paths, which mean nothing there. */
const NOT_CARRIED = new Set<string>([ENV.workDir, ENV.fluxCommand]);

interface Caller {
  workDir: string;
  session: string;
  stage: string;
}

/** The session a call speaks for; null outside a Flux session (then nothing is relayed). */
export function callerOf(env: NodeJS.ProcessEnv): Caller | null {
  const workDir = env[ENV.workDir];
  const session = env[ENV.session];
  const stage = env[ENV.stage];
  if (!workDir || !session || !stage) return null;
  return { workDir, session, stage };
}

/** The FLUX_* settings the hook reads, as the agent has them. */
function settingsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const name of Object.values(ENV)) {
    const value = env[name];
    if (value !== undefined && !NOT_CARRIED.has(name)) settings[name] = value;
  }
  return settings;
}

/** The stage's handoff documents under `<work>/handoffs/`, by name. */
export function handoffsOf(workDir: string, stage: string): Record<string, string> {
  const dir = path.join(workDir, 'handoffs');
  const found: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of names) {
    if (!name.startsWith(`${stage}-handoff-`) || !name.endsWith('.md')) continue;
    try {
      const file = path.join(dir, name);
      const stat = statSync(file);
      if (stat.isFile() && stat.size <= HANDOFF_MAX_BYTES) found[name] = readFileSync(file, 'utf8');
    } catch {
      // Removed meanwhile: not carried.
    }
  }
  return found;
}

function newRequestBase(caller: Caller, env: NodeJS.ProcessEnv) {
  const handoffs = handoffsOf(caller.workDir, caller.stage);
  return {
    // The global crypto is loaded on first use: the local hook path never pays for it.
    id: globalThis.crypto.randomUUID(),
    at: new Date().toISOString(),
    session: caller.session,
    stage: caller.stage,
    env: settingsOf(env),
    ...(Object.keys(handoffs).length === 0 ? {} : { handoffs }),
  };
}

/** Polls for the reply until `timeoutMs` has passed; null if none came. */
function waitForReply(workDir: string, id: string, timeoutMs: number): RelayReply | null {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = takeReply(workDir, id);
    if (reply !== null) return reply;
    if (Date.now() >= deadline) return null;
    sleepSync(Math.min(REPLY_POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

/** The transcript's tokens for a Stop; null when stdin names no readable transcript. */
function stopTokens(stdin: string): number | null {
  try {
    const input = JSON.parse(stdin) as { transcript_path?: unknown };
    return typeof input.transcript_path === 'string' ? tokensFromTranscript(input.transcript_path) : null;
  } catch {
    // Not JSON: the call there refuses it and says so in its hooks.log.
    return null;
  }
}

/** The exit report: spooled, not waited for (the pane's shell is ending). */
export function relayExit(status: number, env: NodeJS.ProcessEnv): void {
  const caller = callerOf(env);
  if (caller === null) return;
  spoolRequest(caller.workDir, { ...newRequestBase(caller, env), kind: 'exit', status });
}

/**
 * A hook call: spooled, then its answer waited for, `waitMs` at most (past
 * it the hook says nothing and the request is applied when the link is
 * back). Returns what the hook prints ('' for nothing).
 */
export function relayHook(hook: HookName, stdin: string, env: NodeJS.ProcessEnv, waitMs: number): string {
  const caller = callerOf(env);
  if (caller === null) return '';
  const request: RelayRequest = {
    ...newRequestBase(caller, env),
    kind: 'hook',
    hook,
    stdin,
    ...(hook === 'Stop' ? { tokens: stopTokens(stdin) } : {}),
  };
  spoolRequest(caller.workDir, request);
  return waitForReply(caller.workDir, request.id, waitMs)?.stdout ?? '';
}

/** `flux done`, `handoff` or `status`: spooled, and its answer waited for; null if none came in `waitMs`. */
export function relayCommand(
  argv: [RelayedCommand, ...string[]],
  env: NodeJS.ProcessEnv,
  waitMs = COMMAND_REPLY_MS,
): RelayReply | null {
  const caller = callerOf(env);
  if (caller === null) throw new Error('not inside a Flux agent session');
  const request: RelayRequest = { ...newRequestBase(caller, env), kind: 'cli', argv };
  spoolRequest(caller.workDir, request);
  return waitForReply(caller.workDir, request.id, waitMs);
}
