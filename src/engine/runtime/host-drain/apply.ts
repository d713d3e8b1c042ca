/**
 * Applying a host's request here exactly as the same call of a local agent
 * is applied: the same entry (`hook.js <Hook>`, `hook.js AgentExit <status>`,
 * `main.js done|handoff|status`) run as its own process, in the repository's
 * root, with the session's environment. Its stdout, stderr and exit code are
 * the reply the host's call prints.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { AGENT_EXIT, ENV } from '../../../agents/protocol.js';
import {
  HOST_ENV,
  TRANSCRIPT_TOKENS_ENV,
  type RelayReply,
  type RelayRequest,
} from '../../../hosts/protocol.js';
import { fluxCommand } from '../program.js';

/** The settings a request may carry; anything else it names (PATH, FLUX_MAIN, …) is not taken from a host. */
export const CARRIED_SETTINGS: readonly string[] = [
  ENV.handoffThreshold,
  ENV.stopReminders,
  ENV.permissionWait,
  ENV.budgetUsd,
  ENV.budgetMinutes,
  ENV.budgetTokens,
  ENV.agentSessionId,
];

/** What a host's call runs as here. */
export interface LocalEntry {
  node: string;
  /** dist/bin/main.js */
  main: string;
  /** dist/bin/hook.js, beside it */
  hook: string;
}

export function localEntry(): LocalEntry {
  const [node, main] = fluxCommand() as [string, string];
  return { node, main, hook: path.join(path.dirname(main), 'hook.js') };
}

/** More output than this is cut to its end (an acceptance run can print a lot; the end says what failed). */
const OUTPUT_MAX = 1024 * 1024;

/** A hook has this long beyond any permission wait; a command (acceptance), two hours. */
const HOOK_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/** The environment of the call: this process's, without any session's variables, then the request's. */
export function applyEnvironment(
  base: NodeJS.ProcessEnv,
  request: RelayRequest,
  workDir: string,
  entry: LocalEntry,
): Record<string, string> {
  const dropped = new Set<string>([...Object.values(ENV), HOST_ENV, TRANSCRIPT_TOKENS_ENV]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !dropped.has(name)) env[name] = value;
  }
  for (const name of CARRIED_SETTINGS) {
    const value = request.env[name];
    if (value !== undefined) env[name] = value;
  }
  env[ENV.workDir] = workDir;
  env[ENV.session] = request.session;
  env[ENV.stage] = request.stage;
  env[ENV.fluxCommand] = JSON.stringify([entry.node, entry.main]);
  // Always set for a relayed Stop ('' for none): the transcript's path is the host's, never read here.
  if (request.kind === 'hook' && request.hook === 'Stop')
    env[TRANSCRIPT_TOKENS_ENV] =
      request.tokens === undefined || request.tokens === null ? '' : String(request.tokens);
  return env;
}

function argvOf(request: RelayRequest, entry: LocalEntry): string[] {
  switch (request.kind) {
    case 'hook':
      return [entry.hook, request.hook];
    case 'exit':
      return [entry.hook, AGENT_EXIT, String(request.status)];
    case 'cli':
      return [entry.main, ...request.argv];
  }
}

function timeoutOf(request: RelayRequest): number {
  if (request.kind === 'cli') return COMMAND_TIMEOUT_MS;
  if (request.kind === 'hook' && request.hook === 'PermissionRequest') {
    const wait = Number(request.env[ENV.permissionWait]);
    return HOOK_TIMEOUT_MS + (Number.isFinite(wait) && wait > 0 ? wait * 1000 : 600_000);
  }
  return HOOK_TIMEOUT_MS;
}

/** Keeps the last OUTPUT_MAX characters. */
function collector(): { add(chunk: Buffer): void; text(): string } {
  let text = '';
  return {
    add: (chunk) => {
      text += chunk.toString('utf8');
      if (text.length > 2 * OUTPUT_MAX) text = text.slice(-OUTPUT_MAX);
    },
    text: () => (text.length > OUTPUT_MAX ? text.slice(-OUTPUT_MAX) : text),
  };
}

export class ApplyAborted extends Error {}

/**
 * Runs the request's entry and answers with what it printed. Rejects with
 * ApplyAborted when `signal` fires first (nothing is replied: the request
 * stays on the host and is applied when the drain runs again), or with the
 * spawn error when the entry cannot run at all.
 */
export function applyRequest(
  request: RelayRequest,
  options: { entry: LocalEntry; cwd: string; workDir: string; env: NodeJS.ProcessEnv; signal: AbortSignal },
): Promise<RelayReply> {
  const { entry, cwd, workDir, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ApplyAborted('stopped'));
    const child = spawn(entry.node, argvOf(request, entry), {
      cwd,
      env: applyEnvironment(options.env, request, workDir, entry),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = collector();
    const stderr = collector();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutOf(request));
    const abort = (): void => {
      child.kill('SIGTERM');
    };
    signal.addEventListener('abort', abort, { once: true });
    child.stdout.on('data', stdout.add);
    child.stderr.on('data', stderr.add);
    child.stdin.on('error', () => {
      // The entry may end without reading its stdin (an AgentExit).
    });
    child.stdin.end(request.kind === 'hook' ? request.stdin : '');
    child.on('error', (error) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      reject(error);
    });
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      if (signal.aborted && !timedOut) return reject(new ApplyAborted('stopped'));
      const exitCode = code ?? 128 + (killedBy === null ? 0 : (os.constants.signals[killedBy] ?? 0));
      const note = timedOut ? `flux: no answer here in ${timeoutOf(request) / 1000} s: stopped\n` : '';
      resolve({ stdout: stdout.text(), stderr: stderr.text() + note, exitCode });
    });
  });
}
