/**
 * Live sessions: `flux attach list`, attaching from a real terminal,
 * `flux sessions` and `flux sessions kill`, and `flux resume` after it.
 * The stage's agent commits and then idles without declaring done, so its
 * session stays alive after `flux run` stops watching.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';
import { makeRig, openTerminal, plan, type Rig } from './harness.js';

const PLAN = plan(
  'Sessions',
  `    - id: slow
      name: "Slow"
      description: "Work that takes a while"
      dependencies: []
      acceptance: []
      files:
        - "src/slow.txt"
    - id: later
      name: "Later"
      description: "After slow"
      dependencies: [slow]
      acceptance: []
      files:
        - "src/later.txt"`,
);

/** Commits, then idles: never runs `flux done`. */
const IDLER = {
  turns: [
    {
      say: 'Writing the slow part.',
      context: 30,
      actions: [{ append: { path: 'src/slow.txt', content: 'slow\n' } }, { commit: 'Write the slow part' }],
    },
  ],
};

let rig: Rig;

beforeAll(async () => {
  rig = await makeRig(PLAN, { slow: IDLER });
  const config = path.join(rig.root, '.work', 'config.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^stop_reminders = .*$/m, 'stop_reminders = 0'));
  // `flux run` watches as long as a session lives: run it in the background until the agent idles.
  const run = rig.startRun();
  try {
    await waitFor(
      async () => {
        const row = (await rig.status()).stages.find((s) => s.id === 'slow');
        return row?.session?.status === 'idle' && row.session.context === 30 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the slow session to idle after its turn' },
    );
  } finally {
    await run.stop();
  }
});

afterAll(async () => {
  await rig?.cleanup();
  await cleanupTempRepos();
});

describe('live sessions', () => {
  it('flux attach list: SESSION, STAGE, STATUS, CONTEXT of the live sessions (no HOST without hosts)', async () => {
    const result = await rig.flux(['attach', 'list']);
    expect(result.exitCode, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SESSION\s+STAGE\s+STATUS\s+CONTEXT$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^flux-slow\s+slow\s+idle\s+30%$/);
    const json = JSON.parse((await rig.flux(['attach', 'list', '--json'])).stdout) as unknown[];
    expect(json).toEqual([
      {
        session: 'flux-slow',
        id: 'slow.s1',
        stage: 'slow',
        status: 'idle',
        context: 30,
        agent: 'sim',
        host: 'local',
      },
    ]);
  });

  it('flux attach without a terminal: exit 3, says a terminal is needed', async () => {
    const result = await rig.flux(['attach', 'slow']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('error: flux attach needs a terminal');
    expect(result.stderr).toContain(`tmux -L ${rig.tmux.socket} capture-pane -p -t '=flux-slow:'`);
  });

  it("flux attach from a terminal shows the agent's pane; Ctrl+B D detaches and the agent keeps running", async () => {
    const terminal = await openTerminal(rig.root, [process.execPath, rig.bin, 'attach', 'slow.s1'], rig.env);
    try {
      await waitFor(
        async () => {
          const clients = await rig.tmux.tmux(['list-clients', '-t', '=flux-slow', '-F', '#{client_name}']);
          return clients.exitCode === 0 && clients.stdout.trim() !== '' ? true : undefined;
        },
        { timeoutMs: 15_000, what: 'a client attached to flux-slow' },
      );
      await terminal.waitForScreen(/Writing the slow part\./);
      await terminal.keys(['C-b', 'd']);
      const screen = await terminal.waitForScreen(/exit=\d+/);
      expect(screen).toContain('exit=0');
    } finally {
      await terminal.close();
    }
    expect(await rig.tmuxSessions()).toContain('flux-slow');
  });

  it('flux resume of a stage whose session is alive: exit 3, attach instead', async () => {
    const result = await rig.flux(['resume', 'slow']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(
      "error: session slow.s1 of stage 'slow' is alive (idle, tmux session flux-slow)",
    );
    expect(result.stderr).toContain('attach with `flux attach slow`');
  });

  it('flux sessions lists the live sessions with agent, tmux, start and context', async () => {
    const result = await rig.flux(['sessions']);
    expect(result.exitCode).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    // The session id names its stage: no STAGE column (--json has it).
    expect(header).toMatch(/^SESSION\s+STATUS\s+AGENT\s+TMUX\s+STARTED\s+CONTEXT$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^slow\.s1\s+idle\s+sim\s+flux-slow\s+\d+[smh] ago\s+30%$/);
  });

  it('flux sessions kill: records the end, closes tmux, keeps the worktree and branch', async () => {
    const head = await rig.git(['rev-parse', 'flux/slow']);
    const result = await rig.flux(['sessions', 'kill', 'slow']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Ended session slow.s1 of slow and closed its tmux session flux-slow.');
    expect(result.stdout).toContain(
      'are untouched; `flux resume slow` continues the stage in a fresh session.',
    );
    expect(rig.events().some((e) => e.type === 'session.ended' && e.session === 'slow.s1')).toBe(true);
    expect(await rig.tmuxSessions()).not.toContain('flux-slow');
    expect(rig.exists('.worktrees/slow/src/slow.txt')).toBe(true);
    expect(await rig.git(['rev-parse', 'flux/slow'])).toBe(head);
    expect(await rig.stageStatus('slow')).toBe('running');
  });

  it('afterwards: no live sessions; --all lists the ended one; kill again and attach are refused', async () => {
    expect((await rig.flux(['sessions'])).stdout).toContain('No live sessions (1 ended');
    const all = await rig.flux(['sessions', '--all']);
    expect(all.stdout).toMatch(/slow\.s1\s+ended\s+sim\s+flux-slow/);
    const again = await rig.flux(['sessions', 'kill', 'slow.s1']);
    expect(again.exitCode).toBe(3);
    expect(again.stderr).toContain('session slow.s1 of slow has already ended');
    const attach = await rig.flux(['attach', 'slow']);
    expect(attach.exitCode).toBe(3);
    expect(attach.stderr).toContain('is not alive: its tmux session flux-slow does not exist');
    expect(attach.stderr).toContain('`flux resume slow`');
    expect((await rig.flux(['attach', 'list'])).stdout).toContain('No live sessions to attach to.');
  });

  it('flux resume refuses stages with nothing to resume, with a hint', async () => {
    const pending = await rig.flux(['resume', 'later']);
    expect(pending.exitCode).toBe(3);
    expect(pending.stderr).toContain("stage 'later' is pending: there is nothing to resume");
    expect(pending.stderr).toContain('hint: it waits for slow to be merged');
    const unknown = await rig.flux(['resume', 'slwo']);
    expect(unknown.exitCode).toBe(64);
    expect(unknown.stderr).toContain("did you mean 'slow'?");
  });

  it("flux resume starts a fresh session on the branch, told the previous session's commits", async () => {
    const result = await rig.flux(['resume', 'slow']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Resumed slow (was running): session slow.s2 in tmux session flux-slow');
    const started = rig.events().filter((e) => e.type === 'stage.started');
    expect(started.map((e) => e.session)).toEqual(['slow.s1', 'slow.s2']);
    expect(await rig.tmuxSessions()).toContain('flux-slow');
    const signal = rig.read('.work/signals/slow.s2.md');
    expect(signal).toContain('## Work already on your branch');
    expect(signal).toContain('- Write the slow part');
    await waitFor(
      async () => ((await rig.flux(['attach', 'list'])).stdout.includes('flux-slow') ? true : undefined),
      { timeoutMs: 15_000, what: 'slow.s2 in flux attach list' },
    );
  });
});
