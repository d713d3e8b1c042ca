// Runs the real `claude` in a tmux pane of the rig and reads what it did:
// the hook/status-line records, the screen, the pane's process.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClaudeEnv } from './claude-env.js';
import type { Tmux } from './tmux.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The binary installed by scripts/install-claude.mjs, or $FLUX_CLAUDE_BIN. */
export const CLAUDE_BIN =
  process.env.FLUX_CLAUDE_BIN ?? join(repoRoot, '.cache', 'claude-code', 'node_modules', '.bin', 'claude');

export const claudeInstalled = (): boolean => existsSync(CLAUDE_BIN);

export interface Recorded {
  hook: string;
  at: number;
  input: Record<string, unknown> & { session_id?: string; hook_event_name?: string };
}

export function readRecords(env: ClaudeEnv): Recorded[] {
  const file = join(env.recordDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  // The recorder appends one line per call; a line without its newline yet is
  // still being written, so it is read on the next look.
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Recorded);
}

/** Queue answers for a hook: each call of the recorder for `event` uses the next one. */
export function queueHookAnswers(
  env: ClaudeEnv,
  event: string,
  answers: { stdout?: unknown; stderr?: string; exitCode?: number; delayMs?: number; sticky?: boolean }[],
): void {
  writeFileSync(join(env.recordDir, 'answers', `${event}.json`), JSON.stringify(answers));
}

export async function waitFor<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface ClaudeSession {
  name: string;
  sessionId: string;
  startedAt: number;
  /** Records of this session only (the env may be shared). */
  records(hook?: string): Recorded[];
  waitForHook(
    hook: string,
    what?: string,
    timeoutMs?: number,
    pred?: (r: Recorded) => boolean,
  ): Promise<Recorded>;
  screen(): string;
  waitForScreen(pattern: RegExp, timeoutMs?: number): Promise<string>;
  sendKeys(...keys: string[]): void;
  /** Types a line into claude's input box and presses Enter. */
  submit(text: string): Promise<void>;
  /** Hook names in the order they fired (status-line calls left out). */
  hookOrder(): string[];
}

export interface StartOptions {
  tmux: Tmux;
  env: ClaudeEnv;
  name: string;
  cwd: string;
  prompt?: string;
  /** Extra CLI flags (after --settings and --session-id). */
  args?: string[];
  sessionId?: string;
  /** tmux remain-on-exit: keep the pane (and session) after claude exits. */
  keepDeadPane?: boolean;
}

export function startClaude(opts: StartOptions): ClaudeSession {
  const sessionId = opts.sessionId ?? randomUUID();
  const argv = [
    CLAUDE_BIN,
    '--settings',
    opts.env.settingsPath,
    '--session-id',
    sessionId,
    ...(opts.args ?? []),
    // `--` ends variadic flags such as --allowedTools, which would eat the prompt.
    ...(opts.prompt !== undefined ? ['--', opts.prompt] : []),
  ];
  // A launcher script gives claude exactly the rig's environment (env -i) and
  // exec's it, so the pane's process *is* claude.
  const launcher = join(opts.env.root, `launch-${opts.name}.sh`);
  const envArgs = Object.entries(opts.env.env).map(([k, v]) => shq(`${k}=${v}`));
  // TMUX/TMUX_PANE are the pane's own (set by tmux), as in a real Flux session.
  const paneVars = 'TMUX="$TMUX" TMUX_PANE="$TMUX_PANE"';
  writeFileSync(
    launcher,
    `#!/bin/sh\nexec env -i ${paneVars} ${envArgs.join(' ')} ${argv.map(shq).join(' ')}\n`,
    {
      mode: 0o755,
    },
  );
  const startedAt = Date.now();
  opts.tmux.newSession(opts.name, opts.cwd, launcher, { keepDeadPane: opts.keepDeadPane });

  const records = (hook?: string) =>
    readRecords(opts.env).filter(
      (r) => r.input?.session_id === sessionId && (hook === undefined || r.hook === hook),
    );
  const screen = () => opts.tmux.capture(opts.name);
  return {
    name: opts.name,
    sessionId,
    startedAt,
    records,
    waitForHook: (hook, what = hook, timeoutMs = 30_000, pred = () => true) =>
      waitFor(() => records(hook).find(pred), `${what} in session ${opts.name}`, timeoutMs),
    screen,
    waitForScreen: (pattern, timeoutMs = 30_000) =>
      waitFor(
        () => {
          const s = screen();
          return pattern.test(s) ? s : undefined;
        },
        `screen to match ${pattern}`,
        timeoutMs,
      ),
    sendKeys: (...keys) => opts.tmux.sendKeys(opts.name, ...keys),
    submit: async (text) => {
      opts.tmux.typeText(opts.name, text);
      // Typed text and Enter in one burst can be taken as a paste (Enter kept as a newline).
      await sleep(300);
      opts.tmux.sendKeys(opts.name, 'Enter');
    },
    hookOrder: () =>
      records()
        .filter((r) => r.hook !== 'statusLine')
        .map((r) => r.hook),
  };
}
