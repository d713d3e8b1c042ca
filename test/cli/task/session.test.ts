/**
 * An ad hoc task outside tmux, from a repository without `.work/`:
 * `flux task run` creates the workspace, a worktree `../proj-<id>` on
 * `feature/<id>` and a detached tmux session `flux-proj-<id>` running the
 * simulated agent (which commits and runs `flux done`); then `list`,
 * `status` and `cleanup` (merge into the current branch, session ended,
 * worktree and branch removed), all recorded through the stage lifecycle.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FluxResult } from '../../helpers/cli.js';
import { makeTaskRig, type TaskRig } from './harness.js';

describe('flux task: run, list, status, cleanup in a detached session', () => {
  let rig: TaskRig;
  let started: FluxResult;
  let id: string;
  let worktree: string;

  beforeAll(async () => {
    rig = await makeTaskRig();
    started = await rig.flux(['task', 'run', '--agent', 'sim', 'Add OAuth authentication']);
    id = /Task ID:\s+(\S+)/.exec(started.stdout)?.[1] ?? '';
    worktree = path.join(rig.parent, `proj-${id}`);
  });
  afterAll(() => rig.cleanup());

  it('starts the task and reports where it runs', () => {
    expect(started.exitCode, started.stderr).toBe(0);
    expect(id).toMatch(/^oauth-[0-9a-f]{6}$/);
    expect(started.stdout).toContain(`Session:   flux-proj-${id}`);
    expect(started.stdout).toContain(`Worktree:  ${worktree}`);
    expect(started.stdout).toContain(`Branch:    feature/${id} (from main)`);
    expect(started.stdout).toContain(`attach-session -t =flux-proj-${id}`);
    expect(started.stdout).toContain(`flux task cleanup ${id}`);
  });

  it('creates .work/ (config and layout) without a plan on first use', () => {
    for (const entry of ['config.toml', 'events.jsonl', 'handoffs', 'signals', 'sessions'])
      expect(existsSync(path.join(rig.root, '.work', entry)), entry).toBe(true);
    const config = readFileSync(path.join(rig.root, '.work', 'config.toml'), 'utf8');
    expect(config).toContain('[task]');
    expect(config).toContain('worktree = "../{project}-{id}"');
    expect(rig.git(['status', '--porcelain'])).toBe('');
  });

  it('records the task and its first session through the stage lifecycle', () => {
    const types = rig.events().slice(0, 4);
    expect(types).toMatchObject([
      {
        type: 'task.created',
        task: { id, description: 'Add OAuth authentication', gate: 'human', dependencies: [] },
        worktree,
        branch: `feature/${id}`,
        base: 'main',
        placement: 'session',
        tmux_session: `flux-proj-${id}`,
      },
      { type: 'stage.ready', stage: id },
      { type: 'stage.started', stage: id, session: `${id}.s1` },
      { type: 'session.started', session: `${id}.s1`, stage: id, agent: 'sim', tmux: `flux-proj-${id}` },
    ]);
  });

  it('gives the agent the meta prompt in its worktree, with hooks reporting back', async () => {
    await rig.waitForEvent('stage.completed', id);
    const prompt = readFileSync(path.join(rig.root, '.work', 'signals', `${id}.s1.md`), 'utf8');
    expect(prompt).toContain('Add OAuth authentication');
    expect(prompt).toContain(worktree);
    expect(prompt).toContain(`feature/${id}`);
    expect(prompt).toContain('tests and linters pass');
    expect(prompt).toContain('Nothing outside the task');
    const types = rig.events().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['session.idle', 'session.working', 'session.context']));
    expect(rig.git(['log', '--format=%s', `main..feature/${id}`])).toContain(id);
  });

  it('lists the task with its worktree, branch, state, context and commands', async () => {
    const list = await rig.flux(['task', 'list']);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/completed · \S+ · context \d+% · \$\d+\.\d\d · up \d+s/);
    expect(list.stdout).toContain(`worktree  ${worktree}`);
    expect(list.stdout).toContain(`branch    feature/${id} (from main)`);
    expect(list.stdout).toContain(`flux attach ${id}`);
    expect(list.stdout).toContain(`flux task status ${id}`);
    expect(list.stdout).toContain(`flux task cleanup ${id}`);
    const json = JSON.parse((await rig.flux(['task', 'list', '--json'])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json).toMatchObject([
      { id, status: 'completed', running: true, worktree, branch: `feature/${id}`, placement: 'session' },
    ]);
    expect(typeof json[0]!.uptimeSeconds).toBe('number');
  });

  it('shows the task in flux status (no plan needed), and graph show copes with no plan', async () => {
    const status = await rig.flux(['status']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain('No plan');
    expect(status.stdout).toContain('Tasks (1 open');
    expect(status.stdout).toMatch(new RegExp(`${id}\\s+completed`));
    expect(status.stdout).toContain(`flux task cleanup ${id}`);
    const json = JSON.parse((await rig.flux(['status', '--json'])).stdout) as {
      plan: null;
      stages: unknown[];
      tasks: Array<{ id: string; status: string }>;
    };
    expect(json.plan).toBeNull();
    expect(json.stages).toEqual([]);
    expect(json.tasks).toMatchObject([{ id, status: 'completed' }]);
    const graph = await rig.flux(['graph', 'show']);
    expect(graph.exitCode, graph.stderr).toBe(0);
  });

  it('reports its health, worktree, commits ahead, recent activity and next steps', async () => {
    const status = await rig.flux(['task', 'status', id]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(`running in tmux session flux-proj-${id}`);
    expect(status.stdout).toMatch(/Worktree\s+\S+\s+clean/);
    expect(status.stdout).toContain('1 commit(s) ahead of main');
    expect(status.stdout).toContain('Recent activity (last 15 lines');
    expect(status.stdout).toContain('flux done');
    expect(status.stdout).toContain('Next steps:');
    expect(status.stdout).toContain(`\`flux task cleanup ${id}\` merges it`);
    const json = JSON.parse((await rig.flux(['task', 'status', id, '--json'])).stdout) as {
      running: boolean;
      branch: { ahead: number };
      activity: string;
    };
    expect(json).toMatchObject({ running: true, branch: { ahead: 1 } });
    expect(json.activity.split('\n').length).toBeLessThanOrEqual(15);
  });

  it('an unknown task id is a usage error naming the tasks', async () => {
    const result = await rig.flux(['task', 'status', 'nope']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("no task 'nope'");
  });

  it('cleanup merges into the current branch, ends the session, removes the worktree and branch', async () => {
    const result = await rig.flux(['task', 'cleanup', id]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Merged feature/${id} into main`);
    expect(result.stdout).toContain(`closed its tmux session flux-proj-${id}`.replace(/^c/, 'C'));
    expect(existsSync(worktree)).toBe(false);
    expect(rig.branchExists(`feature/${id}`)).toBe(false);
    expect(await rig.tmuxSessions()).not.toContain(`flux-proj-${id}`);
    // A --no-ff merge commit on main, with the task's commit behind it.
    expect(rig.git(['log', '-1', '--format=%s %p'])).toMatch(new RegExp(`^Merge task ${id}: .+ \\S+ \\S+$`));
    const tail = rig
      .events()
      .filter((e) => e.stage === id)
      .map((e) => e.type)
      .slice(-3);
    expect(tail).toEqual(['stage.completed', 'stage.verified', 'stage.merged']);
    expect(rig.events().find((e) => e.type === 'stage.verified')).toMatchObject({ by: 'human' });
  });

  it('after cleanup, the task is listed as merged only with --all; cleanup again is a no-op', async () => {
    expect((await rig.flux(['task', 'list'])).stdout).toContain('No open tasks (1 merged');
    expect((await rig.flux(['task', 'list', '--all'])).stdout).toMatch(new RegExp(`${id}\\s+merged`));
    const again = await rig.flux(['task', 'cleanup', id]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already merged');
  });
});
