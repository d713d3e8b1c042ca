/**
 * Stages on a host over a real OpenSSH server on 127.0.0.1
 * (test/helpers/sshd.ts; the "host" is this machine, reached as its own
 * user, with Flux's copy in a folder of the test's): the plan's stages are
 * placed there, their worktrees, tmux sessions and agents live there, their
 * hook calls come back through the spool, and the branches land on the base
 * here.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  finalStatuses,
  fluxWorkspace,
  ofType,
  planDocument,
  type FluxWorkspace,
} from '../helpers/flux-run.js';
import { sshdSkipReason, startSshd, type TestSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/wait.js';

const plan = planDocument(
  'Two stages on a host',
  `    - id: first
      name: "The first"
      dependencies: []
      gate: auto
      acceptance:
        - "test -f src/first.txt"
      files:
        - "src/first.txt"
    - id: second
      name: "The second"
      dependencies: [first]
      gate: auto
      acceptance:
        - "test -f src/first.txt && test -f src/second.txt"
      files:
        - "src/second.txt"`,
);

const sim = (file: string) => ({
  turns: [
    {
      say: `Writing ${file}.`,
      context: 10,
      actions: [
        { write: { path: file, content: `${file}\n` } },
        { commit: `add ${file}` },
        { flux: ['done'] },
      ],
    },
  ],
});

const toml = (value: unknown) => JSON.stringify(value);

describe.skipIf(sshdSkipReason() !== undefined)('stages on a host', () => {
  let sshd: TestSshd;
  let ws: FluxWorkspace;

  beforeAll(async () => {
    sshd = await startSshd();
    ws = await fluxWorkspace({
      plan,
      settings: { agent: 'sim' },
      sims: { first: sim('src/first.txt'), second: sim('src/second.txt') },
    });
    appendFileSync(
      path.join(ws.root, '.work', 'config.toml'),
      `\n[hosts.box1]\nssh = ${toml(sshd.target)}\nport = ${sshd.port}\nssh_options = ${toml(sshd.sshOptions)}\ndir = ${toml(path.join(sshd.home, 'flux'))}\n`,
    );
    const config = path.join(ws.root, '.work', 'config.toml');
    execFileSync('sed', ['-i', 's/^hosts = \\["local"\\]$/hosts = ["box1"]/', config]);
  }, 60_000);
  afterAll(async () => {
    await ws?.cleanup();
    await sshd?.close();
  });

  it('a two-stage plan placed on the host runs to merged on the base here', async () => {
    const run = ws.startRun();
    const result = await run.finished(120_000);
    expect(result.exitCode, run.output()).toBe(0);
    const events = ws.events();
    const started = ofType(events, 'session.started');
    expect(started.map((e) => e.host)).toEqual(['box1', 'box1']);
    expect(finalStatuses(events).stages).toEqual({ first: 'merged', second: 'merged' });
    expect(ws.read('src/first.txt')).toBe('src/first.txt\n');
    expect(ws.read('src/second.txt')).toBe('src/second.txt\n');
    // Cleaned up on the host after each merge: no worktree, no branch left in its clone.
    const [project] = readdirSync(path.join(sshd.home, 'flux')).filter((name) => name !== 'flux');
    const repo = path.join(sshd.home, 'flux', project!, 'repo.git');
    const git = (args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    await waitFor(() => (git(['branch', '--list', 'flux/*']).trim() === '' ? true : undefined), {
      what: 'the stage branches gone from the host clone',
      timeoutMs: 20_000,
    });
    expect(
      git(['worktree', 'list', '--porcelain'])
        .split('\n')
        .filter((l) => l.startsWith('worktree ')),
    ).toHaveLength(1);
    expect(readdirSync(path.join(sshd.home, 'flux', project!, 'worktrees'))).toEqual([]);
  });
});
