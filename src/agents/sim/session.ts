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
 * Its permission prompts, usage figures and transcript are permission.ts,
 * usage.ts and transcript.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ENV, type HookName } from '../protocol.js';
import {
  runAction,
  type ActionContext,
  type ActionEnd,
  type PermissionRequest,
  type WorkRecord,
} from './actions.js';
import {
  preCompactPayload,
  sessionEndPayload,
  sessionStartPayload,
  statusLinePayload,
  stopPayload,
  userPromptSubmitPayload,
  type ClaudeIdentity,
} from './claude-json.js';
import { handoffTarget, renderHandoff, resumeTurn } from './handoff.js';
import type { HookAnswer, Hooks } from './hooks.js';
import { askPermission } from './permission.js';
import type { SimScript, SimTurn } from './script.js';
import type { Screen } from './screen.js';
import { appendTranscript, assistantEntry, userEntry } from './transcript.js';
import { newUsage, recordTurn } from './usage.js';

/** Claude Code starts an automatic compaction at about 83% of a 200k window. */
export const AUTO_COMPACT_PERCENT = 83;
/** Claude Code stops honouring Stop-hook blocks after this many in a row. */
export const MAX_STOP_BLOCKS = 8;
/** The prompt the sim types when its script goes on after an unblocked Stop. */
export const CONTINUE_PROMPT = 'continue';

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
  private readonly usage = newUsage();
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
    await appendTranscript(this.id, userEntry(prompt));
    return this.hook('UserPromptSubmit', userPromptSubmitPayload(this.id, prompt));
  }

  private async play(turn: SimTurn): Promise<ActionEnd> {
    this.setup.screen.say(turn.say);
    for (const action of turn.actions) {
      if (this.setup.signal.aborted) return undefined;
      const end = await runAction(this.actions, action);
      if (end !== undefined) return end;
    }
    recordTurn(this.usage, turn, this.work.linesAdded);
    await appendTranscript(this.id, assistantEntry(turn.say, this.usage));
    await this.statusLine();
    return undefined;
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
    const { screen, signal } = this.setup;
    await askPermission(
      {
        id: this.id,
        screen,
        signal,
        answerFile: this.permissionAnswerFile,
        hook: (name, payload) => this.hook(name, payload),
      },
      request,
    );
    // The sim never runs the tool it asked for: a scripted `run` action does real work.
    await this.statusLine();
  }
}
