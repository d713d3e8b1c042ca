/**
 * `flux task cleanup` with uncommitted changes in the task's worktree: it
 * never loses them. Without a terminal a flag must say what to do (exit 64
 * names them); `--abort` stops with nothing changed; `--commit` commits them
 * on the task branch and merges; `--stash` stashes them and merges only the
 * commits; on a terminal it asks.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTerminal } from '../human/harness.js';
import { dirtyScript, makeTaskRig, type TaskRig } from './harness.js';

describe('flux task cleanup with uncommitted changes', () => {
  let rig: TaskRig;
  const worktree = (id: string): string => path.join(rig.parent, `proj-${id}`);
  /** Stage events of a task (its agent's session events come and go on their own). */
  const stageEvents = (id: string): number =>
    rig.events().filter((e) => e.stage === id && e.type.startsWith('stage.')).length;

  /** A task whose agent committed `<id>.txt` and left `wip-<id>.txt` uncommitted. */
  async function dirtyTask(id: string): Promise<void> {
    rig.writeSim(id, dirtyScript(`wip-${id}.txt`, 'unfinished\n', { file: `${id}.txt`, content: 'done\n' }));
    const run = await rig.flux(['task', 'run', '--id', id, `Task ${id}`]);
    expect(run.exitCode, run.stderr).toBe(0);
    await rig.waitForEvent('session.context', id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(path.join(worktree(id), `wip-${id}.txt`))).toBe(true);
  }

  beforeAll(async () => {
    rig = await makeTaskRig();
    rig.initWorkspace();
    for (const id of ['nf', 'ab', 'co', 'st', 'tty']) await dirtyTask(id);
  });
  afterAll(() => rig.cleanup());

  it('without a terminal and without a flag: exit 64, naming the flags; nothing changes', async () => {
    const before = stageEvents('nf');
    const result = await rig.flux(['task', 'cleanup', 'nf']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain('task nf has uncommitted changes');
    expect(result.stderr).toContain('wip-nf.txt');
    for (const flag of ['--commit', '--stash', '--abort']) expect(result.stderr).toContain(flag);
    expect(stageEvents('nf')).toBe(before);
    expect(existsSync(worktree('nf'))).toBe(true);
  });

  it('the flags exclude each other', async () => {
    const result = await rig.flux(['task', 'cleanup', 'nf', '--commit', '--stash']);
    expect(result.exitCode).toBe(64);
  });

  it('--abort stops: exit 3, the worktree, branch and session are untouched', async () => {
    const before = stageEvents('ab');
    const result = await rig.flux(['task', 'cleanup', 'ab', '--abort']);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain('Stopped');
    expect(stageEvents('ab')).toBe(before);
    expect(readFileSync(path.join(worktree('ab'), 'wip-ab.txt'), 'utf8')).toBe('unfinished\n');
    expect(rig.branchExists('feature/ab')).toBe(true);
    expect(await rig.tmuxSessions()).toContain('flux-proj-ab');
  });

  it('--commit commits them on the task branch, then merges everything', async () => {
    const result = await rig.flux(['task', 'cleanup', 'co', '--commit']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Committed 1 file(s) on feature/co');
    expect(rig.git(['show', 'HEAD:wip-co.txt'])).toBe('unfinished');
    expect(rig.git(['show', 'HEAD:co.txt'])).toBe('done');
    expect(existsSync(worktree('co'))).toBe(false);
    expect(rig.branchExists('feature/co')).toBe(false);
    expect(await rig.tmuxSessions()).not.toContain('flux-proj-co');
    expect(
      rig
        .events()
        .filter((e) => e.stage === 'co')
        .at(-1),
    ).toMatchObject({ type: 'stage.merged' });
    expect(rig.events().find((e) => e.type === 'stage.completed' && e.stage === 'co')).toMatchObject({
      forced: true,
    });
  });

  it('--stash stashes them, merges only the commits, and says how to get them back', async () => {
    const result = await rig.flux(['task', 'cleanup', 'st', '--stash']);
    expect(result.exitCode, result.stderr).toBe(0);
    const stash = /git stash apply ([0-9a-f]+)/.exec(result.stdout)?.[1];
    expect(stash).toBeDefined();
    expect(rig.git(['show', 'HEAD:st.txt'])).toBe('done');
    expect(() => rig.git(['show', 'HEAD:wip-st.txt'])).toThrow();
    expect(rig.git(['stash', 'list'])).toContain('flux task st');
    expect(rig.git(['show', `${stash}^3:wip-st.txt`])).toBe('unfinished');
    expect(existsSync(worktree('st'))).toBe(false);
  });

  it('on a terminal it asks: commit, stash or abort', async () => {
    const terminal = await openTerminal(
      rig.root,
      [process.execPath, rig.bin, 'task', 'cleanup', 'tty'],
      rig.env,
    );
    try {
      await terminal.waitForScreen(/What should happen to them\? \[c\/s\/a\]/);
      const screen = await terminal.screen();
      expect(screen).toContain('wip-tty.txt');
      await terminal.keys(['c', 'Enter']);
      await terminal.waitForScreen(/exit=0/);
      expect(await terminal.screen()).toContain('Task tty is cleaned up.');
    } finally {
      await terminal.close();
    }
    expect(rig.git(['show', 'HEAD:wip-tty.txt'])).toBe('unfinished');
  });
});
