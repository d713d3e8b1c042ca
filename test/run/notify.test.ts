/**
 * Being told: a notifier command ([notify] command) receives one line per
 * event that needs a person — the permission question, the review — and one
 * when the plan is done; a notifier that fails is logged and stops nothing.
 * Real git and tmux, the simulated agent, a foreground `flux run`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  fluxStatus,
  fluxWorkspace,
  planDocument,
  type FluxWorkspace,
} from '../helpers/flux-run.js';
import { waitFor } from '../helpers/wait.js';

let ws: FluxWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

const PLAN = planDocument(
  'Notified',
  `    - id: ask
      name: "Ask"
      description: "Asks for a permission, then writes its file"
      dependencies: []
      gate: human
      acceptance:
        - "test -f ask.txt"
      files:
        - "ask.txt"`,
);

const ASK = {
  turns: [
    {
      say: 'Needs the network.',
      context: 10,
      actions: [
        { permission: { tool: 'Bash', input: { command: 'curl https://example.invalid' } } },
        { write: { path: 'ask.txt', content: 'ask\n' } },
        { commit: 'ask: its file' },
        { flux: ['done'] },
      ],
    },
  ],
};

/** Sets [notify] command (the key `command` also names claude's program, so it is set by its section). */
function setNotifyCommand(root: string, argv: string[]): void {
  const file = path.join(root, '.work', 'config.toml');
  const text = readFileSync(file, 'utf8').replace(
    /(\[notify\][\s\S]*?)^command = \[\]$/m,
    // A function, so the `$1` in the argv is not read as a group.
    (_, section: string) => `${section}command = ${JSON.stringify(argv)}`,
  );
  writeFileSync(file, text);
}

describe('[notify] command', () => {
  it('receives one line per event that needs a person, and one when the plan is done', async () => {
    ws = await fluxWorkspace({ plan: PLAN, sims: { ask: ASK } });
    const told = path.join(ws.root, '..', `${path.basename(ws.root)}-told.txt`);
    setNotifyCommand(ws.root, [
      'sh',
      '-c',
      'printf "%s|%s|%s\\n" "$1" "$2" "$3" >> "$0"',
      told,
      '{kind}',
      '{stage}',
      '{title}',
    ]);
    const run = ws.startRun();
    const w = ws;
    await waitFor(
      () => (existsSync(told) && readFileSync(told, 'utf8').includes('permission') ? true : undefined),
      { timeoutMs: 60_000, what: 'the permission notice' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${run.output()}\n${describeWorkspace(w)}`);
    });
    expect((await ws.flux(['approve', 'ask'])).exitCode).toBe(0);
    await waitFor(
      async () => ((await fluxStatus(w.flux)).stages[0]?.status === 'completed' ? true : undefined),
      {
        timeoutMs: 60_000,
        what: 'ask completed',
      },
    );
    const first = await run.finished(60_000);
    expect(first.exitCode, first.stdout).toBe(0);
    expect((await ws.flux(['verify', 'ask', '--approve'])).exitCode).toBe(0);
    // A run after the merge says the plan is done; a third says nothing new.
    expect((await ws.flux(['run'])).exitCode).toBe(0);
    expect((await ws.flux(['run'])).exitCode).toBe(0);
    expect(
      readFileSync(told, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    ).toEqual([
      'permission|ask|ask asks for permission',
      'review|ask|ask is ready for review',
      'done||Notified is done',
    ]);
    expect(
      ws
        .events()
        .filter((e) => e.type === 'notification.sent')
        .map((e) => e.kind),
    ).toEqual(['permission', 'review', 'done']);
  }, 180_000);

  it('a notifier that fails is logged, and the run goes on', async () => {
    ws = await fluxWorkspace({
      plan: PLAN,
      sims: {
        ask: {
          turns: [
            {
              say: 'Done.',
              context: 5,
              actions: [{ write: { path: 'ask.txt', content: 'x\n' } }, { commit: 'x' }, { flux: ['done'] }],
            },
          ],
        },
      },
    });
    setNotifyCommand(ws.root, ['sh', '-c', 'echo nobody listens >&2; exit 3']);
    const result = await ws.flux(['run']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('told: ask is ready for review');
    const log = readFileSync(path.join(ws.root, '.work', 'logs', 'notify.log'), 'utf8');
    expect(log).toMatch(/command: sh failed: nobody listens/);
  }, 120_000);
});
