/**
 * The human gate belongs to people: the human-only commands refuse to run
 * inside an agent session (exit 3, nothing recorded), found by process
 * ancestry, not by environment variables, which an agent can drop. Real
 * tmux on the rig's private server, the built CLI, the simulated agent.
 *
 * The stage's agent goes on working after `flux done` (a long turn), so its
 * session is live in the log while the commands run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, type FluxResult } from '../../helpers/cli.js';
import { isolatedGitEnv } from '../../helpers/temp-repo.js';
import { waitFor } from '../../helpers/wait.js';
import { makeRig, plan, type Rig } from './harness.js';

const PLAN = plan(
  'Human only',
  `    - id: s1
      name: "One"
      description: "Write one"
      dependencies: []
      acceptance:
        - "test -f src/one.txt"
      files:
        - "src/**"
    - id: s2
      name: "Two"
      description: "Write two"
      dependencies: [s1]
      files:
        - "src/**"`,
);

const REFUSAL =
  /error: flux \S+( \S+)? must be run by a person: this runs inside Flux's agent session s1\.s1/;

let rig: Rig;
/** Where commands run by the agent or in its tmux session leave their output (outside the repository). */
let outDir: string;

const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

/** A shell line that runs `argv` with nothing of Flux's environment: no FLUX_*, no TMUX. */
function scrubbed(argv: readonly string[]): string {
  const keep = {
    HOME: os.homedir(),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NO_COLOR: '1',
    ...isolatedGitEnv,
  };
  const assignments = Object.entries(keep).map(([key, value]) => quote(`${key}=${value}`));
  return `env -i ${assignments.join(' ')} ${argv.map(quote).join(' ')}`;
}

/** The output of a command that wrote `<name>.out`, `<name>.err` and `<name>.rc` in outDir. */
async function resultOf(name: string): Promise<FluxResult> {
  const rc = path.join(outDir, `${name}.rc`);
  await waitFor(() => (existsSync(rc) && readFileSync(rc, 'utf8').endsWith('\n') ? true : undefined), {
    timeoutMs: 60_000,
    what: `${name} to finish`,
  });
  return {
    exitCode: Number(readFileSync(rc, 'utf8').trim()),
    stdout: readFileSync(path.join(outDir, `${name}.out`), 'utf8'),
    stderr: readFileSync(path.join(outDir, `${name}.err`), 'utf8'),
  };
}

/** `argv > name.out 2> name.err; echo $? > name.rc`, for sh. */
function recorded(name: string, argv: readonly string[]): string {
  const file = (ext: string) => quote(path.join(outDir, `${name}.${ext}`));
  return `${scrubbed(argv)} > ${file('out')} 2> ${file('err')}; echo $? > ${file('rc')}`;
}

let windows = 0;

/** Runs flux in a new window of the agent's own tmux session, with FLUX_* (and TMUX) unset. */
async function inAgentSession(args: readonly string[]): Promise<FluxResult> {
  const name = `window-${++windows}`;
  const tmuxSession = rig.events().find((e) => e.type === 'session.started' && e.session === 's1.s1')?.tmux;
  expect(typeof tmuxSession).toBe('string');
  const script = `cd ${quote(rig.root)} && ${recorded(name, [process.execPath, rig.bin, ...args])}; exec sleep 600`;
  const created = await rig.tmux.tmux([
    'new-window',
    '-d',
    '-t',
    `=${String(tmuxSession)}:`,
    '--',
    ...['env', '-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, '/bin/sh', '-c', script],
  ]);
  expect(created.exitCode, created.stderr).toBe(0);
  return resultOf(name);
}

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), 'flux-human-only-'));
  rig = await makeRig(PLAN);
  // Without FLUX_TMUX_SOCKET (scrubbed), flux finds the server through the config, as a user's would.
  const config = path.join(rig.root, '.work', 'config.toml');
  const text = readFileSync(config, 'utf8');
  expect(text).toMatch(/^socket = ""$/m);
  writeFileSync(config, text.replace(/^socket = ""$/m, `socket = "${rig.tmux.socket}"`));
  // The agent declares done, tries to approve its own stage with FLUX_* unset, and keeps working
  // (its turn goes on), so its session stays live.
  rig.writeSim('s1', {
    turns: [
      {
        say: 'Writing one, then approving it myself.',
        context: 20,
        actions: [
          { write: { path: 'src/one.txt', content: 'one\n' } },
          { commit: 'Write one' },
          { flux: ['done'] },
          { run: recorded('agent-verify', [process.execPath, rig.bin, 'verify', 's1', '--approve']) },
          { sleep: 600_000 },
        ],
      },
    ],
  });
  const run = rig.startRun();
  try {
    await resultOf('agent-verify');
    await waitFor(() => (rig.events().some((e) => e.type === 'stage.completed') ? true : undefined), {
      timeoutMs: 30_000,
      what: 's1 to be completed',
    });
  } finally {
    await run.stop();
  }
});

afterAll(async () => {
  await rig?.cleanup();
  rmSync(outDir, { recursive: true, force: true });
  await cleanupTempRepos();
});

describe('human-only commands inside an agent session', () => {
  it("the agent cannot approve its own stage, though it unset Flux's variables", async () => {
    const result = await resultOf('agent-verify');
    expect(result.exitCode, result.stdout).toBe(3);
    expect(result.stderr).toMatch(REFUSAL);
    expect(result.stderr).toMatch(/hint: run it from your own terminal/);
    expect(rig.events().some((e) => e.type === 'stage.verified')).toBe(false);
    expect(await rig.stageStatus('s1')).toBe('completed');
  });

  it("a pane of the agent's tmux session is refused by its ancestry alone: verify, approve, stage, budget, ui", async () => {
    const before = rig.read('.work/events.jsonl');
    const verify = await inAgentSession(['verify', 's1', '--approve']);
    expect(verify.exitCode, verify.stdout).toBe(3);
    expect(verify.stderr).toMatch(REFUSAL);
    // Not the environment (scrubbed): the pane process of the agent's tmux session is an ancestor.
    expect(verify.stderr).toMatch(/it descends from process \d+ \(sh\), the process of tmux session flux-/);
    for (const args of [
      ['approve', 's1'],
      ['deny', 's1'],
      ['stage', 's2', 'block', '--reason', 'agents may not'],
      ['sessions', 'kill', 's1'],
      ['merge', 's1'],
      ['budget', 's1', '--usd', '100'],
      ['ui'],
    ]) {
      const result = await inAgentSession(args);
      expect(result.exitCode, `flux ${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(REFUSAL);
    }
    expect(rig.read('.work/events.jsonl')).toBe(before);
  });

  it('what is not human-only still runs there (flux status)', async () => {
    const status = await inAgentSession(['status']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain('s1');
  });

  it('the same command from the person works, and records by: human', async () => {
    const verify = await rig.flux(['verify', 's1', '--approve']);
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(await rig.stageStatus('s1')).toBe('merged');
    expect(rig.events().find((e) => e.type === 'stage.verified')).toMatchObject({ stage: 's1', by: 'human' });
  });

  it('with no session live, a forced transition is recorded by: human', async () => {
    const block = await rig.flux(['stage', 's2', 'block', '--reason', 'waiting on design']);
    expect(block.exitCode, block.stderr).toBe(0);
    expect(rig.events().at(-1)).toMatchObject({ type: 'stage.blocked', stage: 's2', by: 'human' });
  });
});
