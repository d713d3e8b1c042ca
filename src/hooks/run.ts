/**
 * `flux hook <HookName>`: called by the agent (Claude Code's hooks and status
 * line, or the simulated agent) with JSON on stdin.
 *
 * It must be fast and must never get in the agent's way: it loads only the
 * log, the fold and the lifecycle tables, and whatever goes wrong it logs
 * under `.work/logs/hooks.log` and exits 0. Which session it speaks for
 * comes from the environment Flux gave the agent (src/agents/protocol.ts).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AGENT_EXIT, ENV, HOOK_NAMES, type HookName } from '../agents/protocol.js';
import { RUN_DEFAULTS } from '../engine/defaults.js';
import { Engine } from '../engine/engine.js';
import { nextHandoffPath } from '../engine/signal.js';
import { sessionAlive } from '../engine/state.js';
import { workspaceAt } from '../engine/workspace.js';
import type { NewEvent } from '../log/events.js';
import { installCodec, trustedCodec } from '../log/line.js';
import { logPathIn } from '../log/paths.js';
import { sleepSync } from '../log/sleep.js';
import { takeViewFailure } from '../effects/projections.js';
import { FluxError } from '../errors.js';
import { HOST_ENV, TRANSCRIPT_TOKENS_ENV } from '../hosts/protocol.js';
import { HOOK_REPLY_MS, relayExit, relayHook } from '../hosts/relay.js';
import { decideHook, foreignCall, type HookDecision, type HookSettings } from './decide.js';
import { HookInputError, parseHookInput } from './input.js';
import { contextOfWindow, tokensFromTranscript } from './transcript.js';

/** Claude Code's context window unless its status line said otherwise. */
const DEFAULT_WINDOW = 200_000;

/** Synchronously: a stdin stream costs more to set up than the whole hook takes. */
function readStdin(): string {
  if (process.stdin.isTTY === true) return '';
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** A setting Flux passed at launch; `min` is the smallest value that means something (0 turns some off). */
function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const text = env[name];
  const value = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(value) && value >= min ? value : fallback;
}

/** Claude Code's answer to a PermissionRequest hook (docs/claude-code.md). */
export function permissionAnswer(decision: 'allow' | 'deny', reason: string | null): string {
  const verdict =
    decision === 'allow'
      ? { behavior: 'allow' }
      : { behavior: 'deny', message: reason ?? 'Denied by a person through Flux.' };
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: verdict } });
}

/**
 * A PermissionRequest hook stays until a person answers through Flux
 * (`flux approve` / `flux deny`), or the question is answered in the pane
 * (the session moves on), or `timeoutMs` passes: then it says nothing and
 * Claude Code's own dialog decides.
 */
export function waitForPermissionAnswer(
  engine: Engine,
  session: string,
  sinceSeq: number,
  timeoutMs: number,
  pollMs = 150,
): string | null {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    sleepSync(pollMs);
    const current = engine.load().sessions[session];
    if (current?.answer !== null && current?.answer !== undefined && current.answer.seq > sinceSeq) {
      return permissionAnswer(current.answer.decision, current.answer.reason);
    }
    if (current === undefined || current.waiting === null) return null;
  }
  return null;
}

/** A line in `.work/logs/hooks.log`: the time, the session, the hook, and what happened. */
function logLine(workDir: string | undefined, hook: string, message: string): void {
  // A workspace deleted while an agent was still exiting must not come back as a stray `.work/logs`.
  if (workDir === undefined || !existsSync(workDir)) return;
  try {
    const dir = path.join(workDir, 'logs');
    mkdirSync(dir, { recursive: true });
    appendFileSync(
      path.join(dir, 'hooks.log'),
      `${new Date().toISOString()} ${process.env[ENV.session] ?? '-'} ${hook}: ${message}\n`,
    );
  } catch {
    // Nowhere left to report; the agent must still go on.
  }
}

function logFailure(workDir: string | undefined, hook: string, error: unknown): void {
  // A failure Flux knows (a damaged log, a full disk) says all there is to say; anything else is a bug.
  const message =
    error instanceof FluxError || error instanceof HookInputError
      ? `${error.name}: ${error.message}`
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  logLine(workDir, hook, message);
}

/** What the hook reads besides its stdin; replaced in tests. */
export interface HookReads {
  /** Tokens in context after the transcript's last assistant message (null: none, or not a file to read). */
  transcriptTokens(transcriptPath: string): number | null;
}

const realReads: HookReads = { transcriptTokens: tokensFromTranscript };

/**
 * The transcript's tokens at a Stop. A Stop relayed from a host carries them
 * (FLUX_TRANSCRIPT_TOKENS, '' for none): the transcript is a file there, and
 * a path of the host is never read here.
 */
function stopTokens(transcriptPath: unknown, env: NodeJS.ProcessEnv, reads: HookReads): number | null {
  const relayedTokens = env[TRANSCRIPT_TOKENS_ENV];
  if (relayedTokens !== undefined) {
    const value = Number(relayedTokens);
    return relayedTokens !== '' && Number.isFinite(value) && value >= 0 ? value : null;
  }
  return typeof transcriptPath === 'string' ? reads.transcriptTokens(transcriptPath) : null;
}

/** Handles one hook call; returns what to print. Exposed for tests. */
export function handleHook(
  hook: HookName,
  stdin: string,
  env: NodeJS.ProcessEnv,
  reads: HookReads = realReads,
): HookDecision {
  const workDir = env[ENV.workDir];
  const session = env[ENV.session];
  // Not started by Flux (e.g. settings copied elsewhere), or its workspace is gone: nothing to record.
  if (workDir === undefined || session === undefined || !existsSync(logPathIn(workDir))) {
    return { events: [], answer: null };
  }
  const input = parseHookInput(stdin);
  const settings: HookSettings = {
    threshold: numberFromEnv(env, ENV.handoffThreshold, RUN_DEFAULTS.handoff_threshold, 1),
    reminders: numberFromEnv(env, ENV.stopReminders, RUN_DEFAULTS.stop_reminders),
    // 0 (the default) is no limit, which budget.ts reads as such.
    budget: {
      usd: numberFromEnv(env, ENV.budgetUsd, 0),
      minutes: numberFromEnv(env, ENV.budgetMinutes, 0),
      tokens: numberFromEnv(env, ENV.budgetTokens, 0),
    },
  };
  installCodec(trustedCodec);
  const engine = new Engine(workspaceAt(path.dirname(workDir)));
  const known = engine.load().sessions[session];
  const foreign = known === undefined ? null : foreignCall(known, input);
  if (foreign !== null) {
    logLine(workDir, hook, foreign);
    return { events: [], answer: null };
  }
  // Read before taking the lock: the transcript is the agent's file, and may be slow or huge.
  const tokens = hook === 'Stop' ? stopTokens(input.transcript_path, env, reads) : null;
  let decision: HookDecision = { events: [], answer: null };
  const { state } = engine.commit((current) => {
    const stage = current.stages[current.sessions[session]?.stage ?? ''];
    const handoff = stage === undefined ? '' : nextHandoffPath(stage);
    const now = Date.now();
    const observed =
      hook === 'Stop'
        ? { context: contextOfWindow(tokens, current.sessions[session]?.window ?? DEFAULT_WINDOW), now }
        : { now };
    decision = decideHook(current, session, hook, input, settings, handoff, observed);
    return { events: decision.events, effects: [] };
  });
  // The events stand even if a view could not be written: the answer goes out all the same.
  const viewFailure = takeViewFailure();
  if (viewFailure !== null) logFailure(workDir, hook, viewFailure);
  // It waits whenever a question is open, also while the session is handing off.
  if (hook === 'PermissionRequest' && (state.sessions[session]?.waiting ?? null) !== null) {
    const waitMs = numberFromEnv(env, ENV.permissionWait, RUN_DEFAULTS.permission_wait) * 1000;
    return { events: decision.events, answer: waitForPermissionAnswer(engine, session, state.seq, waitMs) };
  }
  return decision;
}

/** What the agent's exit status says: 0 ended; a signal (128 + n) or an error crashed. */
export function exitEvent(status: number, session: string): NewEvent {
  if (status === 0) return { type: 'session.ended', session, reason: 'the agent exited' };
  const how =
    status > 128 && status < 160 ? `was killed by signal ${status - 128}` : `exited with status ${status}`;
  return { type: 'session.crashed', session, reason: `the agent ${how}` };
}

/**
 * The status the exit reporter passes: sh's `$?`, a whole number 0–255
 * (a signal already folded into 128 + n). Anything else is refused.
 */
export function parseExitStatus(text: string | undefined): number {
  if (text === undefined || !/^(0|[1-9]\d{0,2})$/.test(text) || Number(text) > 255) {
    throw new HookInputError(
      `not an exit status: ${JSON.stringify(text ?? null)} (the exit reporter passes a whole number 0–255)`,
    );
  }
  return Number(text);
}

/** The pane's wrapper reports the agent's exit; Flux may have ended the session already. */
export function recordAgentExit(status: number, env: NodeJS.ProcessEnv): void {
  const workDir = env[ENV.workDir];
  const session = env[ENV.session];
  if (workDir === undefined || session === undefined || !existsSync(logPathIn(workDir))) return;
  installCodec(trustedCodec);
  new Engine(workspaceAt(path.dirname(workDir))).commit((state) => {
    if (!sessionAlive(state.sessions[session])) return { events: [], effects: [] };
    return { events: [exitEvent(status, session)], effects: [] };
  });
  const viewFailure = takeViewFailure();
  if (viewFailure !== null) logFailure(workDir, AGENT_EXIT, viewFailure);
}

/**
 * On a host (FLUX_HOST set) the call is relayed: the machine that runs the
 * plan applies it to the one log and its answer is printed here
 * (src/hosts/relay.ts); past the wait, nothing is printed and the request is
 * applied when the link is back. Its failures stay in this host's hooks.log.
 */
function relayed(env: NodeJS.ProcessEnv): boolean {
  return (env[HOST_ENV] ?? '') !== '';
}

export function runHook(args: string[]): number {
  const hook = args[0];
  const workDir = process.env[ENV.workDir];
  try {
    if (hook === AGENT_EXIT) {
      // Outside Flux (no session, no workspace) it does nothing, whatever it is given.
      if (process.env[ENV.session] === undefined || workDir === undefined) return 0;
      const status = parseExitStatus(args[1]);
      if (relayed(process.env)) relayExit(status, process.env);
      else recordAgentExit(status, process.env);
      return 0;
    }
    if (!HOOK_NAMES.includes(hook as HookName))
      throw new Error(`unknown hook '${hook ?? ''}' (known: ${HOOK_NAMES.join(', ')})`);
    if (relayed(process.env)) {
      const waitMs =
        hook === 'PermissionRequest'
          ? numberFromEnv(process.env, ENV.permissionWait, RUN_DEFAULTS.permission_wait) * 1000 +
            HOOK_REPLY_MS
          : HOOK_REPLY_MS;
      const answer = relayHook(hook as HookName, readStdin(), process.env, waitMs);
      if (answer !== '') process.stdout.write(answer);
      return 0;
    }
    const decision = handleHook(hook as HookName, readStdin(), process.env);
    if (decision.answer !== null) process.stdout.write(`${decision.answer}\n`);
  } catch (error) {
    logFailure(workDir, hook ?? '?', error);
  }
  return 0;
}
