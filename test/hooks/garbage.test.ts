/**
 * Hooks never act on garbage: empty or non-object stdin, a transcript that
 * is not a regular file (a FIFO would hang the hook), a context figure that
 * is not a percentage, an exit status that is not one, a call from another
 * agent session than the one Flux started, a log line from a newer Flux.
 * Each is refused or ignored (nothing appended, nothing answered, a line in
 * .work/logs/hooks.log), and the hook still exits 0. The built binary,
 * spawned as an agent spawns it.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fluxWorkspace, planDocument, type FluxWorkspace, type LogEvent } from '../helpers/flux-run.js';

const plan = planDocument(
  'Garbage',
  ['models', 'api', 'docs']
    .map(
      (id) => `    - id: ${id}
      name: "${id}"
      dependencies: []
      acceptance:
        - "true"
      files:
        - "src/${id}/*"`,
    )
    .join('\n'),
);

interface HookResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  appended: Array<Record<string, unknown>>;
  /** What the call added to .work/logs/hooks.log. */
  logged: string;
}

let ws: FluxWorkspace;
/** What `flux run --manual` printed: the command that starts each agent. */
let manualOutput = '';
const hooksLog = (): string => {
  const file = path.join(ws.root, '.work', 'logs', 'hooks.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

/** The agent session id Flux recorded for `session` (claude `--session-id`; the sim is given the same). */
function agentSessionId(session: string): string | undefined {
  const started = ws.events().find((e) => e.type === 'session.started' && e.session === session);
  return started?.agent_session_id as string | undefined;
}

async function hook(
  name: string,
  input: string,
  options: { session?: string; args?: string[]; timeoutMs?: number; entry?: 'hook' | 'main' } = {},
): Promise<HookResult> {
  const session = options.session ?? 'models.s1';
  const before = ws.events().length;
  const logBefore = hooksLog().length;
  const hookJs = path.join(path.dirname(ws.bin), 'hook.js');
  const argv =
    options.entry === 'main'
      ? [ws.bin, 'hook', name, ...(options.args ?? [])]
      : [hookJs, name, ...(options.args ?? [])];
  const result = await execa(process.execPath, argv, {
    cwd: ws.root,
    env: {
      ...ws.env,
      FLUX_SESSION: session,
      FLUX_STAGE: session.replace(/\.s\d+$/, ''),
      FLUX_WORK_DIR: path.join(ws.root, '.work'),
      FLUX_STOP_REMINDERS: '50',
    },
    extendEnv: false,
    input,
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 20_000,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    timedOut: result.timedOut,
    appended: ws
      .events()
      .slice(before)
      .map(({ v: _v, seq: _seq, at: _at, ...rest }: LogEvent) => rest),
    logged: hooksLog().slice(logBefore),
  };
}

/** What Claude Code sends: its own session id first. */
function payload(session: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ session_id: agentSessionId(session), cwd: ws.root, ...fields });
}

const nothingDone = { exitCode: 0, stdout: '', stderr: '', appended: [] };

beforeAll(async () => {
  ws = await fluxWorkspace({ plan });
  const manual = await ws.flux(['run', '--manual', '--max-parallel', '2']);
  expect(manual.exitCode, manual.stderr).toBe(0);
  manualOutput = manual.stdout;
  // A third session as an older Flux recorded it: no agent session id.
  const seq = ws.events().length;
  const at = new Date().toISOString();
  appendFileSync(
    path.join(ws.root, '.work', 'events.jsonl'),
    [
      { v: 1, seq: seq + 1, at, type: 'stage.started', stage: 'docs', session: 'docs.s1' },
      {
        v: 1,
        seq: seq + 2,
        at,
        type: 'session.started',
        session: 'docs.s1',
        stage: 'docs',
        agent: 'claude',
        tmux: '',
      },
    ]
      .map((event) => `${JSON.stringify(event)}\n`)
      .join(''),
  );
});

afterAll(async () => {
  await ws?.cleanup();
});

describe('stdin that is not a hook call', () => {
  it.each(['Stop', 'UserPromptSubmit', 'StatusLine', 'SessionEnd'])(
    '%s with empty stdin: no answer, nothing appended, logged',
    async (name) => {
      for (const input of ['', ' \n']) {
        const result = await hook(name, input);
        expect(result).toMatchObject(nothingDone);
        expect(result.logged).toMatch(new RegExp(`models\\.s1 ${name}: \\w*Error: stdin is empty`));
      }
    },
  );

  it.each(['null', '[]', '"Stop"', '42', 'true'])(
    'stdin %s: no answer, nothing appended, logged',
    async (input) => {
      const result = await hook('Stop', input);
      expect(result).toMatchObject(nothingDone);
      expect(result.logged).toMatch(/Stop: \w*Error: stdin is not a JSON object/);
    },
  );
});

describe("Stop's transcript", () => {
  it('a FIFO as transcript_path: answered at once, as without a transcript; never opened for reading', async () => {
    const fifo = path.join(ws.root, '.work', 'agents', 'a-fifo.jsonl');
    mkdirSync(path.dirname(fifo), { recursive: true });
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const result = await hook(
      'Stop',
      payload('models.s1', { stop_hook_active: false, transcript_path: fifo }),
      {
        timeoutMs: 15_000,
      },
    );
    expect(result.timedOut).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'block' });
    expect(result.appended).toEqual([{ type: 'session.reminded', session: 'models.s1' }]);
  });

  it('a directory or a device as transcript_path: as without a transcript', async () => {
    for (const transcript of [path.join(ws.root, '.work'), '/dev/zero']) {
      const result = await hook(
        'Stop',
        payload('models.s1', { stop_hook_active: false, transcript_path: transcript }),
      );
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ decision: 'block' });
      expect(result.appended).toEqual([{ type: 'session.reminded', session: 'models.s1' }]);
    }
  });
});

describe('the status line figure', () => {
  it('records and shows a percentage', async () => {
    const result = await hook(
      'StatusLine',
      payload('models.s1', { context_window: { used_percentage: 42 } }),
    );
    expect(result.stdout).toMatch(/^flux models · running · \w+ · context 42%\n$/);
    expect(result.appended).toEqual([{ type: 'session.context', session: 'models.s1', percent: 42 }]);
  });

  it.each([1e308, -50, 104])(
    '%s is no percentage: nothing recorded, the last figure shown',
    async (percent) => {
      const result = await hook(
        'StatusLine',
        payload('models.s1', { context_window: { used_percentage: percent } }),
      );
      expect(result.stdout).toMatch(/^flux models · running · \w+ · context 42%\n$/);
      expect(result.appended).toEqual([]);
    },
  );
});

describe('calls from another agent session', () => {
  it('Flux recorded the agent session id it gave each session', () => {
    expect(agentSessionId('models.s1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(agentSessionId('api.s1')).toMatch(/^[0-9a-f-]{36}$/);
    expect(agentSessionId('api.s1')).not.toBe(agentSessionId('models.s1'));
    // The launch gives it to the agent: claude as --session-id, the sim in its environment.
    expect(manualOutput).toContain(`FLUX_AGENT_SESSION_ID=${agentSessionId('models.s1')}`);
    expect(manualOutput).toContain(`FLUX_AGENT_SESSION_ID=${agentSessionId('api.s1')}`);
  });

  it.each([
    ['StatusLine', { context_window: { used_percentage: 90 } }],
    ['Stop', { stop_hook_active: false }],
    ['UserPromptSubmit', { prompt: 'hi' }],
    ['PreCompact', { trigger: 'auto' }],
    ['SessionEnd', { reason: 'other' }],
  ])('%s with another session_id: no answer, nothing appended, logged as ignored', async (name, fields) => {
    const result = await hook(
      name,
      JSON.stringify({ session_id: 'f00dfeed-0000-4000-8000-000000000000', ...fields }),
    );
    expect(result).toMatchObject(nothingDone);
    expect(result.logged).toContain(
      `models.s1 ${name}: session_id 'f00dfeed-0000-4000-8000-000000000000' is not models.s1's agent session ${agentSessionId('models.s1')}: ignored`,
    );
    expect(result.logged).not.toMatch(/\n\s+at /);
  });

  it('with its own session_id: recorded as usual', async () => {
    const result = await hook('UserPromptSubmit', payload('models.s1', { prompt: 'hi' }), { entry: 'main' });
    expect(result).toMatchObject({ exitCode: 0, stdout: '', logged: '' });
    expect(result.appended).toEqual([{ type: 'session.working', session: 'models.s1' }]);
  });

  it('a session with no recorded agent session id (an older log): any session_id is taken, as before', async () => {
    const result = await hook('UserPromptSubmit', JSON.stringify({ session_id: 'whatever', prompt: 'hi' }), {
      session: 'docs.s1',
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: '', logged: '' });
    expect(result.appended).toEqual([{ type: 'session.working', session: 'docs.s1' }]);
  });
});

describe('AgentExit <status>', () => {
  it.each(['abc', '', '256', '-1', '1.5', '0x1', '1e2', ' 3'])(
    '%j is not an exit status: nothing recorded, logged',
    async (status) => {
      const result = await hook('AgentExit', '', { session: 'api.s1', args: [status] });
      expect(result).toMatchObject(nothingDone);
      expect(result.logged).toContain(`api.s1 AgentExit: `);
      expect(result.logged).toContain(`not an exit status: ${JSON.stringify(status)}`);
    },
  );

  it('without a status: nothing recorded, logged', async () => {
    const result = await hook('AgentExit', '', { session: 'api.s1' });
    expect(result).toMatchObject(nothingDone);
    expect(result.logged).toContain('not an exit status');
  });

  it('a status (0–255) is recorded as before', async () => {
    const result = await hook('AgentExit', '', { session: 'api.s1', args: ['3'] });
    expect(result).toMatchObject({ exitCode: 0, stdout: '', logged: '' });
    expect(result.appended).toEqual([
      { type: 'session.crashed', session: 'api.s1', reason: 'the agent exited with status 3' },
    ]);
  });
});

// Last: it leaves the log damaged.
describe('a line written by a newer Flux', () => {
  it('the hook and the CLI say the same thing about it', async () => {
    const seq = ws.events().length + 1;
    const line = JSON.stringify({
      v: 99,
      seq,
      at: new Date().toISOString(),
      type: 'session.working',
      session: 'x',
    });
    appendFileSync(path.join(ws.root, '.work', 'events.jsonl'), `${line}\n`);
    const result = await hook('UserPromptSubmit', payload('models.s1', { prompt: 'hi' }));
    expect(result).toMatchObject({ exitCode: 0, stdout: '' });
    const status = await ws.flux(['status']);
    expect(status.exitCode).toBe(4);
    const problem = `line ${seq}: session.working event of version 99, written by a newer Flux (this one reads up to version 1)`;
    expect(status.stderr).toContain(problem);
    expect(result.logged).toContain(problem);
  });
});
