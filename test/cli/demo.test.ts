/**
 * `flux demo`, the README's first command: a throw-away repository with a
 * diamond plan, run end to end by the simulated agent on a tmux server of its
 * own, ending with everything merged. Without a terminal it logs one line per event.
 */
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { socketPath } from '../../src/effects/tmux.js';
import { FLUX_BIN, runFlux } from '../helpers/cli.js';
import { isolatedGitEnv } from '../helpers/temp-repo.js';

const root = mkdtempSync(path.join(tmpdir(), 'flux-demo-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A PATH with git, tmux and sh but no `flux`, as for a person who ran the demo through npx. */
const PATH_WITHOUT_FLUX = '/usr/bin:/bin';

/** The tmux server the demo ran on (`.work/config.toml` names it). */
function demoSocket(dir: string): string {
  const socket = /^socket = "(flux-demo-\d+)"$/m.exec(
    readFileSync(path.join(dir, '.work', 'config.toml'), 'utf8'),
  );
  expect(socket).not.toBeNull();
  return socket![1]!;
}

describe('flux demo', () => {
  const dir = path.join(root, 'demo');

  it('runs the diamond plan to all merged, with a failed acceptance fixed and a handoff on the way', async () => {
    const result = await runFlux(['demo', '--dir', dir], { cwd: root, env: { PATH: PATH_WITHOUT_FLUX } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('All 4 stages are merged into main.');
    expect(result.stdout).toContain(`Look around in ${dir}`);
    // What it says to run is `flux …`, with the advice on getting `flux` onto PATH once.
    expect(result.stdout).toContain('  flux status; flux replay');
    expect(result.stdout).not.toContain(process.execPath);
    expect(result.stdout).not.toContain('main.js');
    expect(result.stdout.match(/`flux` is not on your PATH/g)).toHaveLength(1);
    // It ran the plan itself: no "Next: `flux run`" from its init.
    expect(result.stdout).not.toContain('Next:');
    // Its tmux server is gone, socket file and all.
    expect(existsSync(socketPath(demoSocket(dir)))).toBe(false);

    const events = readFileSync(path.join(dir, '.work', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; stage?: string });
    expect(events.filter((e) => e.type === 'stage.merged').map((e) => e.stage)).toEqual(
      expect.arrayContaining(['core', 'cli', 'formal', 'e2e']),
    );
    expect(events.some((e) => e.type === 'stage.acceptance_failed' && e.stage === 'cli')).toBe(true);
    expect(events.some((e) => e.type === 'stage.handoff_requested' && e.stage === 'formal')).toBe(true);
    expect(readdirSync(path.join(dir, '.work', 'handoffs'))).toEqual(['formal-handoff-001.md']);
    // cli and formal both wrote CHANGELOG.md: the second to land conflicted, and its resolver kept both.
    const conflict = events.find((e) => e.type === 'stage.merge_failed') as
      { stage: string; cause?: string; next?: string } | undefined;
    expect(conflict).toMatchObject({ cause: 'conflict', next: 'agent' });
    expect(
      events.some((e) => e.type === 'session.started' && e.stage === conflict!.stage && 'resolving' in e),
    ).toBe(true);
    const changelog = readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain('- bin/greet: greet from the shell');
    expect(changelog).toContain('- src/formal.sh: formal greetings');
    // Every merge that landed was checked first (the conflicting attempt never got that far).
    expect(events.filter((e) => e.type === 'merge.checking').map((e) => e.stage)).toEqual(
      events.filter((e) => e.type === 'stage.merged').map((e) => e.stage),
    );

    const log = (await execa('git', ['log', '--format=%s', 'main'], { cwd: dir })).stdout.split('\n');
    for (const id of ['core', 'cli', 'formal', 'e2e'])
      expect(log.some((s) => s.startsWith(`Merge stage ${id}:`))).toBe(true);
    // Everything it made is merged: no worktree or stage branch is left.
    expect(existsSync(path.join(dir, '.worktrees', 'core'))).toBe(false);
    expect((await execa('git', ['branch', '--list', 'flux/*'], { cwd: dir })).stdout).toBe('');
    // The greeter works.
    expect((await execa('sh', ['tests/e2e.sh'], { cwd: dir })).stdout).toBe('ok');
  });

  it('Ctrl+C: exit 130, its sessions ended in the log and its tmux server gone', async () => {
    const stopped = path.join(root, 'stopped');
    const child = spawn(process.execPath, [FLUX_BIN, 'demo', '--dir', stopped], {
      cwd: root,
      env: { ...process.env, ...isolatedGitEnv, NO_COLOR: '1', TMUX: '', TMUX_PANE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const sessionStarted = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/session\.working/.test(output)) resolve();
      }),
    );
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await Promise.race([sessionStarted, exited]);
    child.kill('SIGINT');
    expect(await exited, output).toBe(130);
    expect(output).toContain("Stopped. The demo's sessions are ended");
    expect(output).not.toContain('keep running in tmux');

    const status = await runFlux(['status', '--json'], { cwd: stopped });
    expect(status.exitCode, status.stderr).toBe(0);
    const view = JSON.parse(status.stdout) as { stages: Array<{ session: { status: string } | null }> };
    const sessions = view.stages.flatMap((s) => (s.session === null ? [] : [s.session.status]));
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) expect(['ended', 'crashed']).toContain(session);
    const socket = demoSocket(stopped);
    expect(existsSync(socketPath(socket))).toBe(false);
    expect((await execa('tmux', ['-L', socket, 'list-sessions'], { reject: false })).exitCode).not.toBe(0);
  });

  it('refuses a directory that is not empty (exit 3), touching nothing', async () => {
    const busy = path.join(root, 'busy');
    await execa('mkdir', ['-p', busy]);
    writeFileSync(path.join(busy, 'keep.txt'), 'mine\n');
    const result = await runFlux(['demo', '--dir', busy], { cwd: root });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`${busy} is not empty`);
    expect(readdirSync(busy)).toEqual(['keep.txt']);
  });
});
