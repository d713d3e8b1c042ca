/**
 * `flux task run` failures: each a clear message and a non-zero exit, and
 * nothing left half-made: no `task.created` in the log, no worktree, no
 * branch, and no `.work/` when the failed run was the first in the repository.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTaskRig, type TaskRig } from './harness.js';

describe('flux task run: errors', () => {
  let rig: TaskRig;
  const work = (): string => path.join(rig.root, '.work');
  const created = (): number => rig.events().filter((e) => e.type === 'task.created').length;
  const leftovers = (id: string): string[] =>
    [
      existsSync(path.join(rig.parent, `proj-${id}`)) ? `worktree proj-${id}` : '',
      rig.branchExists(`feature/${id}`) ? `branch feature/${id}` : '',
    ].filter((s) => s !== '');

  beforeAll(async () => {
    rig = await makeTaskRig();
  });
  afterAll(() => rig.cleanup());

  it('outside a git repository: exit 5, and nothing is created', async () => {
    const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'flux-not-git-')));
    try {
      const result = await rig.flux(['task', 'run', 'Do it'], { cwd: dir });
      expect(result.exitCode).toBe(5);
      expect(result.stderr).toContain('is not inside a git repository');
      expect(existsSync(path.join(dir, '.work'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tmux not installed: exit 5 with how to install it; the first-use .work/ is undone', async () => {
    const bin = path.join(rig.parent, 'bin-without-tmux');
    mkdirSync(bin);
    const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    symlinkSync(git, path.join(bin, 'git'));
    const result = await rig.flux(['task', 'run', '--agent', 'sim', 'Do it'], { env: { PATH: bin } });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain('tmux is not installed');
    expect(result.stderr).toContain('apt-get install tmux');
    expect(existsSync(work())).toBe(false);
  });

  it('a branch that exists: exit 3, no task, no worktree, no .work/ left', async () => {
    rig.git(['branch', 'feature/taken']);
    const result = await rig.flux(['task', 'run', '--agent', 'sim', '--id', 'taken', 'Do it']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("branch 'feature/taken' already exists");
    expect(result.stderr).toContain('--id');
    expect(existsSync(path.join(rig.parent, 'proj-taken'))).toBe(false);
    expect(existsSync(work())).toBe(false);
    rig.git(['branch', '-D', 'feature/taken']);
  });

  it('a worktree path that exists: exit 3, nothing made', async () => {
    rig.initWorkspace();
    mkdirSync(path.join(rig.parent, 'proj-occupied'));
    const result = await rig.flux(['task', 'run', '--id', 'occupied', 'Do it']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`${path.join(rig.parent, 'proj-occupied')} already exists`);
    expect(created()).toBe(0);
    expect(rig.branchExists('feature/occupied')).toBe(false);
    expect(existsSync(work())).toBe(true);
  });

  it('a tmux session that exists for the task: exit 3 with how to attach; nothing made', async () => {
    await rig.tmux.tmux(['new-session', '-d', '-s', 'flux-proj-busy', 'sleep 600']);
    const result = await rig.flux(['task', 'run', '--id', 'busy', 'Do it']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("a tmux session 'flux-proj-busy' already exists for task 'busy'");
    expect(result.stderr).toContain(`tmux -L ${rig.tmux.socket} attach-session -t =flux-proj-busy`);
    expect(created()).toBe(0);
    expect(leftovers('busy')).toEqual([]);
  });

  it('a task that exists: exit 3 with how to attach or clean up', async () => {
    rig.writeSim('twice', { turns: [{ say: 'idle', context: 5 }] });
    const first = await rig.flux(['task', 'run', '--id', 'twice', 'Do it']);
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await rig.flux(['task', 'run', '--id', 'twice', 'Do it again']);
    expect(second.exitCode).toBe(3);
    expect(second.stderr).toContain("task 'twice' already exists");
    expect(second.stderr).toContain('flux attach twice');
    expect(second.stderr).toContain('flux task cleanup twice');
    expect(created()).toBe(1);
  });

  it('worktree creation failing half-way is rolled back: no task, no worktree, no branch', async () => {
    // The repository tracks a file under .work/, so the new worktree gets a real .work
    // directory where Flux links its own: the worktree exists before the step that fails.
    mkdirSync(path.join(work(), 'tracked'), { recursive: true });
    writeFileSync(path.join(work(), 'tracked', 'marker'), 'x\n');
    rig.git(['add', '-f', '.work/tracked/marker']);
    rig.git(['commit', '--quiet', '-m', 'Track a file under .work']);
    const before = created();
    const result = await rig.flux(['task', 'run', '--id', 'halfway', 'Do it']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('cannot create the worktree');
    expect(result.stderr).toContain("is not Flux's link");
    expect(result.stderr).toMatch(/undone: removed .*proj-halfway, deleted branch feature\/halfway/);
    expect(created()).toBe(before);
    expect(leftovers('halfway')).toEqual([]);
    expect(rig.git(['worktree', 'list'])).not.toContain('halfway');
    rig.git(['rm', '--quiet', '--cached', '.work/tracked/marker']);
    rig.git(['commit', '--quiet', '-m', 'Untrack it']);
  });

  it('usage errors: an empty description, a bad id, an unknown agent (exit 64)', async () => {
    expect((await rig.flux(['task', 'run', ''])).exitCode).toBe(64);
    const id = await rig.flux(['task', 'run', '--id', 'Bad/Id', 'Do it']);
    expect(id.exitCode).toBe(64);
    expect(id.stderr).toContain("'Bad/Id' cannot be a task id");
    const agent = await rig.flux(['task', 'run', '--agent', 'nobody', 'Do it']);
    expect(agent.exitCode).toBe(64);
    expect(agent.stderr).toContain('--agent nobody: no such agent');
  });

  it('an unknown placeholder in [task] settings is a config error (exit 2)', async () => {
    const config = path.join(work(), 'config.toml');
    const text = readFileSync(config, 'utf8');
    writeFileSync(config, text.replace('branch = "feature/{id}"', 'branch = "feature/{user}-{id}"'));
    try {
      const result = await rig.flux(['task', 'run', '--id', 'placeholder', 'Do it']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('unknown placeholder {user}');
    } finally {
      writeFileSync(config, text);
    }
  });
});
