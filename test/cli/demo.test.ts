/**
 * `flux demo`, the README's first command: a throw-away repository with a
 * diamond plan, run end to end by the simulated agent on a tmux server of its
 * own, ending with everything merged. Without a terminal it logs one line per event.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFlux } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'flux-demo-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('flux demo', () => {
  const dir = path.join(root, 'demo');

  it('runs the diamond plan to all merged, with a failed acceptance fixed and a handoff on the way', async () => {
    const result = await runFlux(['demo', '--dir', dir], { cwd: root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('All 4 stages are merged into main.');
    expect(result.stdout).toContain(`Look around in ${dir}`);

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

    const log = (await execa('git', ['log', '--format=%s', 'main'], { cwd: dir })).stdout.split('\n');
    for (const id of ['core', 'cli', 'formal', 'e2e'])
      expect(log.some((s) => s.startsWith(`Merge stage ${id}:`))).toBe(true);
    // Everything it made is merged: no worktree or stage branch is left.
    expect(existsSync(path.join(dir, '.worktrees', 'core'))).toBe(false);
    expect((await execa('git', ['branch', '--list', 'flux/*'], { cwd: dir })).stdout).toBe('');
    // The greeter works.
    expect((await execa('sh', ['tests/e2e.sh'], { cwd: dir })).stdout).toBe('ok');
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
