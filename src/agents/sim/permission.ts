/**
 * A permission prompt, as Claude Code shows one: the PermissionRequest hook
 * may answer it; otherwise a Notification goes out and the prompt waits for
 * a person (or Flux) to write `allow` or `deny` to the session's answer file.
 */
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HookName } from '../protocol.js';
import type { PermissionRequest } from './actions.js';
import {
  permissionNotificationPayload,
  permissionRequestPayload,
  type ClaudeIdentity,
} from './claude-json.js';
import type { HookAnswer } from './hooks.js';
import type { Screen } from './screen.js';

const PERMISSION_POLL_MS = 100;

/** What a prompt needs of its session. */
export interface PermissionPrompt {
  id: ClaudeIdentity;
  screen: Screen;
  signal: AbortSignal;
  /** Where the answer is written: `allow` or `deny`. */
  answerFile: string;
  hook(name: HookName, payload: object): Promise<HookAnswer>;
}

/** Asks, and waits for the answer; the sim never runs the tool it asked for. */
export async function askPermission(prompt: PermissionPrompt, request: PermissionRequest): Promise<void> {
  const { screen } = prompt;
  const shown =
    typeof request.input.command === 'string' ? request.input.command : JSON.stringify(request.input);
  screen.tool(request.tool, shown);
  const answer = await prompt.hook(
    'PermissionRequest',
    permissionRequestPayload(prompt.id, request.tool, request.input),
  );
  let decision = hookDecision(answer);
  if (decision !== undefined) {
    screen.result(`Permission ${decision === 'allow' ? 'granted' : 'denied'} by the PermissionRequest hook`);
  } else {
    await prompt.hook('Notification', permissionNotificationPayload(prompt.id));
    screen.result(`Do you want to proceed? Write "allow" or "deny" to ${prompt.answerFile}`);
    decision = await waitForAnswer(prompt, request.timeout_ms);
    screen.result(decision === 'allow' ? 'Permission granted' : 'Permission denied');
  }
}

/** Polls the answer file; consumes it so the next request waits for a new answer. */
async function waitForAnswer(
  prompt: PermissionPrompt,
  timeoutMs: number | undefined,
): Promise<'allow' | 'deny'> {
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  const file = prompt.answerFile;
  while (!prompt.signal.aborted && Date.now() < deadline) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      await rm(file, { force: true });
      return /^\s*deny/i.test(text) ? 'deny' : 'allow';
    }
    await sleep(PERMISSION_POLL_MS, undefined, { signal: prompt.signal }).catch(() => undefined);
  }
  return 'deny';
}

/** `{"hookSpecificOutput":{"decision":{"behavior":"allow"|"deny"}}}` from a PermissionRequest hook. */
function hookDecision(answer: HookAnswer): 'allow' | 'deny' | undefined {
  const specific = answer.json?.hookSpecificOutput as { decision?: { behavior?: unknown } } | undefined;
  const behavior = specific?.decision?.behavior;
  return behavior === 'allow' || behavior === 'deny' ? behavior : undefined;
}
