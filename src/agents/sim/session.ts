/**
 * One simulated Claude Code session: the hook calls of a real session, in
 * the same order with the same JSON, around the turns of a script.
 *
 *   SessionStart → StatusLine (null) → UserPromptSubmit →
 *   per turn: actions → StatusLine (turn's context) → Stop → …
 *
 * Stop answers are read like Claude Code reads them: a block is the next
 * instruction (a handoff request, or anything else: play the next turn),
 * `continue: false` stops the agent, no answer leaves it idle until a prompt
 * arrives; the sim then types `continue` itself while its script has turns left.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, type HookName } from '../protocol.js';
import {
  runAction,
  type ActionContext,
  type ActionEnd,
  type PermissionRequest,
  type WorkRecord,
} from './actions.js';
import {
  permissionNotificationPayload,
  permissionRequestPayload,
  preCompactPayload,
  sessionEndPayload,
  sessionStartPayload,
  CONTEXT_WINDOW_SIZE,
  SIM_MODEL,
  statusLinePayload,
  stopPayload,
  userPromptSubmitPayload,
  type ClaudeIdentity,
  type Usage,
} from './claude-json.js';
import { handoffTarget, renderHandoff, resumeTurn } from './handoff.js';
import type { HookAnswer, Hooks } from './hooks.js';
import type { SimScript, SimTurn } from './script.js';
import type { Screen } from './screen.js';

/** Claude Code starts an automatic compaction at about 83% of a 200k window. */
export const AUTO_COMPACT_PERCENT = 83;
/** Claude Code stops honouring Stop-hook blocks after this many in a row. */
export const MAX_STOP_BLOCKS = 8;
/** The prompt the sim types when its script goes on after an unblocked Stop. */
export const CONTINUE_PROMPT = 'continue';
const PERMISSION_POLL_MS = 100;

export type Outcome = { kind: 'idle' } | { kind: 'exit' | 'crash'; code: number };
const IDLE: Outcome = { kind: 'idle' };

export interface SessionSetup {
  script: SimScript;
  prompt: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  flux: readonly string[] | undefined;
  hooks: Hooks;
  screen: Screen;
  signal: AbortSignal;
  stage: string;
  session: string;
  /** The main `.work/` directory: handoffs are written there. */
  workDir: string;
}

export class SimSession {
  readonly id: ClaudeIdentity;
  /** Private to this session: the transcript and the permission answer file. */
  readonly agentDir: string;
  private readonly usage: Usage = {
    percent: null,
    totalInputTokens: 0,
    totalOutputTokens: 0,
    lastOutputTokens: 0,
    costUsd: 0,
    startedAt: Date.now(),
    linesAdded: 0,
    linesRemoved: 0,
  };
  private readonly work: WorkRecord = { files: new Set(), commits: [], linesAdded: 0 };
  private readonly actions: ActionContext;

  constructor(private readonly setup: SessionSetup) {
    // The id Flux chose and recorded, so its hooks are recognised as this session's (claude's --session-id).
    const given = setup.env[ENV.agentSessionId];
    const sessionId = given !== undefined && given !== '' ? given : randomUUID();
    this.agentDir = path.join(setup.workDir, 'agents', setup.session);
    this.id = { sessionId, cwd: setup.cwd, transcriptPath: path.join(this.agentDir, `${sessionId}.jsonl`) };
    this.actions = {
      cwd: setup.cwd,
      env: setup.env,
      flux: setup.flux,
      screen: setup.screen,
      signal: setup.signal,
      work: this.work,
      askPermission: (request) => this.askPermission(request),
    };
  }

  /** Where a person (or Flux) answers a permission prompt: `allow` or `deny`. */
  get permissionAnswerFile(): string {
    return path.join(this.agentDir, 'permission-answer');
  }

  async run(): Promise<Outcome> {
    await mkdir(this.agentDir, { recursive: true });
    await this.hook('SessionStart', sessionStartPayload(this.id, 'startup'));
    await this.statusLine();
    const submitted = await this.submit(this.setup.prompt);
    if (submitted.stop !== undefined || submitted.block !== undefined) return IDLE;

    const turns = this.setup.script.turns;
    const first = Math.min(resumeTurn(this.setup.prompt), turns.length);
    let next = first;
    let stopHookActive = false;
    let blocks = 0;
    for (;;) {
      if (this.setup.signal.aborted) return IDLE;
      if (next > first && (this.usage.percent ?? 0) >= AUTO_COMPACT_PERCENT) {
        const compacted = await this.compact(first, next);
        if (compacted !== undefined) return compacted;
      }
      const turn = turns[next];
      let message: string;
      if (turn === undefined) {
        message = 'Nothing is left in my script for this stage.';
        this.setup.screen.say(message);
        await this.statusLine();
      } else {
        const end = await this.play(turn);
        if (end !== undefined) return { kind: end.end, code: end.code };
        message = turn.say;
        next++;
      }

      const answer = await this.hook('Stop', stopPayload(this.id, stopHookActive, message));
      if (answer.stop !== undefined) return IDLE;
      if (answer.block === undefined) {
        if (next >= turns.length) return IDLE;
        if ((await this.submit(CONTINUE_PROMPT)).stop !== undefined) return IDLE;
        stopHookActive = false;
        blocks = 0;
        continue;
      }
      this.setup.screen.note(`Stop hook feedback: ${answer.block}`);
      const target = handoffTarget(answer.block);
      if (target !== undefined) return this.handOff(target, first, next);
      if (++blocks >= MAX_STOP_BLOCKS) return IDLE;
      stopHookActive = true;
    }
  }

  /** SessionEnd; called once the session is told to end. */
  async end(reason: 'other' | 'prompt_input_exit'): Promise<void> {
    await this.setup.hooks.call('SessionEnd', sessionEndPayload(this.id, reason));
  }

  private hook(name: HookName, payload: object): Promise<HookAnswer> {
    // Once told to end, the session only says SessionEnd.
    if (this.setup.signal.aborted) return Promise.resolve({ text: '' });
    return this.setup.hooks.call(name, payload);
  }

  private async submit(prompt: string): Promise<HookAnswer> {
    this.id.promptId = randomUUID();
    const shown = prompt.trim();
    this.setup.screen.note(`❯ ${shown.split('\n')[0]}${shown.includes('\n') ? ' …' : ''}`);
    await this.transcript({ type: 'user', message: { role: 'user', content: prompt } });
    return this.hook('UserPromptSubmit', userPromptSubmitPayload(this.id, prompt));
  }

  private async play(turn: SimTurn): Promise<ActionEnd> {
    this.setup.screen.say(turn.say);
    for (const action of turn.actions) {
      if (this.setup.signal.aborted) return undefined;
      const end = await runAction(this.actions, action);
      if (end !== undefined) return end;
    }
    this.answered(turn);
    await this.transcript({
      type: 'assistant',
      message: {
        model: SIM_MODEL.id,
        role: 'assistant',
        content: [{ type: 'text', text: turn.say }],
        usage: {
          input_tokens: Math.round(((this.usage.percent ?? 0) / 100) * CONTEXT_WINDOW_SIZE),
          output_tokens: this.usage.lastOutputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    });
    await this.statusLine();
    return undefined;
  }

  /** Deterministic token and cost figures for a finished turn: the script's `cost`, or list prices. */
  private answered(turn: SimTurn): void {
    const usage = this.usage;
    usage.percent = turn.context ?? usage.percent ?? 1;
    usage.lastOutputTokens = 20 + Math.ceil(turn.say.length / 4) + 50 * turn.actions.length;
    usage.totalOutputTokens += usage.lastOutputTokens;
    const inputTokens = Math.round((usage.percent / 100) * CONTEXT_WINDOW_SIZE);
    usage.totalInputTokens += inputTokens;
    // Sonnet list prices: $3 per million input tokens, $15 per million output tokens.
    const turnCost = turn.cost ?? inputTokens * 3e-6 + usage.lastOutputTokens * 15e-6;
    usage.costUsd = Number((usage.costUsd + turnCost).toFixed(6));
    usage.linesAdded = this.work.linesAdded;
  }

  private async statusLine(): Promise<void> {
    const answer = await this.hook('StatusLine', statusLinePayload(this.id, this.usage, Date.now()));
    if (answer.text !== '') this.setup.screen.note(answer.text.split('\n')[0] ?? '');
  }

  /** Claude Code's automatic compaction, which a PreCompact hook may block (or turn into a handoff). */
  private async compact(first: number, next: number): Promise<Outcome | undefined> {
    const answer = await this.hook('PreCompact', preCompactPayload(this.id));
    if (answer.block !== undefined) {
      this.setup.screen.note(`PreCompact hook feedback: ${answer.block}`);
      const target = handoffTarget(answer.block);
      return target === undefined ? undefined : this.handOff(target, first, next);
    }
    this.setup.screen.note('Compacting conversation…');
    // The next status line shows the compacted context (Claude Code reports about 1%).
    this.usage.percent = null;
    await this.hook('SessionStart', sessionStartPayload(this.id, 'compact'));
    return undefined;
  }

  private async handOff(target: string, first: number, next: number): Promise<Outcome> {
    const { screen, workDir } = this.setup;
    screen.tool('Write', `.work/${target}`);
    const document = renderHandoff({
      stage: this.setup.stage,
      session: this.setup.session,
      claudeSessionId: this.id.sessionId,
      script: this.setup.script,
      first,
      next,
      percent: this.usage.percent,
      work: this.work,
      cwd: this.setup.cwd,
    });
    try {
      const file = path.join(workDir, target);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, document);
      screen.result(`Wrote ${document.split('\n').length - 1} lines to .work/${target}`);
    } catch (error) {
      screen.result(`Error: ${(error as Error).message}`);
    }
    await runAction(this.actions, { flux: ['handoff'] });
    const message = `Wrote .work/${target} and ran flux handoff.`;
    screen.say(message);
    await this.statusLine();
    await this.hook('Stop', stopPayload(this.id, true, message));
    return IDLE;
  }

  private async askPermission(request: PermissionRequest): Promise<void> {
    const { screen } = this.setup;
    const shown =
      typeof request.input.command === 'string' ? request.input.command : JSON.stringify(request.input);
    screen.tool(request.tool, shown);
    const answer = await this.hook(
      'PermissionRequest',
      permissionRequestPayload(this.id, request.tool, request.input),
    );
    let decision = hookDecision(answer);
    if (decision !== undefined) {
      screen.result(
        `Permission ${decision === 'allow' ? 'granted' : 'denied'} by the PermissionRequest hook`,
      );
    } else {
      await this.hook('Notification', permissionNotificationPayload(this.id));
      screen.result(`Do you want to proceed? Write "allow" or "deny" to ${this.permissionAnswerFile}`);
      decision = await this.waitForAnswer(request.timeout_ms);
      screen.result(decision === 'allow' ? 'Permission granted' : 'Permission denied');
    }
    // The sim never runs the tool it asked for: a scripted `run` action does real work.
    await this.statusLine();
  }

  /** Polls the answer file; consumes it so the next request waits for a new answer. */
  private async waitForAnswer(timeoutMs: number | undefined): Promise<'allow' | 'deny'> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    const file = this.permissionAnswerFile;
    while (!this.setup.signal.aborted && Date.now() < deadline) {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        await rm(file, { force: true });
        return /^\s*deny/i.test(text) ? 'deny' : 'allow';
      }
      await sleep(PERMISSION_POLL_MS, undefined, { signal: this.setup.signal }).catch(() => undefined);
    }
    return 'deny';
  }

  private async transcript(entry: Record<string, unknown>): Promise<void> {
    const line = {
      ...entry,
      sessionId: this.id.sessionId,
      cwd: this.id.cwd,
      timestamp: new Date().toISOString(),
    };
    await appendFile(this.id.transcriptPath, JSON.stringify(line) + '\n').catch(() => undefined);
  }
}

/** `{"hookSpecificOutput":{"decision":{"behavior":"allow"|"deny"}}}` from a PermissionRequest hook. */
function hookDecision(answer: HookAnswer): 'allow' | 'deny' | undefined {
  const specific = answer.json?.hookSpecificOutput as { decision?: { behavior?: unknown } } | undefined;
  const behavior = specific?.decision?.behavior;
  return behavior === 'allow' || behavior === 'deny' ? behavior : undefined;
}
