/**
 * Ad hoc tasks, the pure parts: task ids, the `task.created` fold, and the
 * decisions (run, close, which session comes next) as given-events / when /
 * then-events specifications; and how the plan's scheduler, reconcile and
 * monitor treat tasks.
 */
import { describe, expect, it } from 'vitest';
import { canMove } from '../../src/engine/monitor.js';
import { decideReconcile } from '../../src/engine/reconcile.js';
import { decideStarts, startEvents } from '../../src/engine/scheduler.js';
import { replay } from '../../src/engine/evolve.js';
import { isTask, liveSessions, tasksOf } from '../../src/engine/state.js';
import {
  decideTaskClose,
  decideTaskRun,
  nextTaskTarget,
  requireTask,
  taskNextSteps,
  type TaskRunInput,
  type TaskState,
} from '../../src/engine/task.js';
import {
  checkTaskId,
  expandTemplate,
  SLUG_MAX,
  taskDef,
  taskId,
  taskSlug,
  tmuxSessionName,
} from '../../src/engine/task-names.js';
import { renderTaskPrompt, taskRules } from '../../src/engine/task-prompt.js';
import { statusView } from '../../src/engine/views.js';
import { STAGE_ID_PATTERN } from '../../src/ids.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, given, plan, stageDef, stamp } from './spec.js';

function runInput(id: string, extra: Partial<TaskRunInput> = {}): TaskRunInput {
  return {
    def: taskDef(id, `Task ${id}`, []),
    worktree: `/src/proj-${id}`,
    branch: `feature/${id}`,
    base: 'main',
    placement: 'session',
    tmuxSession: `flux-proj-${id}`,
    tmuxTarget: `flux-proj-${id}`,
    agent: 'sim',
    ...extra,
  };
}

/** The events `flux task run` appends for a task. */
function created(id: string, extra: Partial<TaskRunInput> = {}): NewEvent[] {
  return decideTaskRun(fold([]), runInput(id, extra)).events;
}

const onePlan: NewEvent[] = [
  { type: 'plan.initialized', plan: plan([stageDef('a')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'a' },
];

describe('task ids', () => {
  it.each([
    ['Add OAuth authentication', 'oauth'],
    ['Fix the login redirect bug', 'fix-login'],
    ['implement a new cache layer for sessions', 'cache-layer'],
    ['Créer une API', 'creer-une-api'],
    ['  !!!  ', 'task'],
    ['Add the', 'add-the'],
    ['Supercalifragilisticexpialidocious', 'supercalifragili'],
    ['Rate-limit /api/login (429 after 5 tries)', 'rate-limit-api'],
  ])('%j → %s', (description, slug) => {
    expect(taskSlug(description)).toBe(slug);
    expect(taskSlug(description).length).toBeLessThanOrEqual(SLUG_MAX);
  });

  it('an id is the slug and the random hex, and fits everywhere a stage id goes', () => {
    expect(taskId('Add OAuth authentication', 'a1b2c3')).toBe('oauth-a1b2c3');
    for (const description of ['Add OAuth authentication', '***', 'Ünïcödé wörk', 'x'.repeat(200)])
      expect(taskId(description, 'ffffff')).toMatch(STAGE_ID_PATTERN);
  });

  it('a chosen id is checked', () => {
    expect(() => checkTaskId('oauth-1')).not.toThrow();
    for (const bad of ['Bad', 'a/b', '-x', 'a..b', 'x'.repeat(65)]) expect(() => checkTaskId(bad)).toThrow();
  });

  it('templates take {project} and {id}; anything else is a config error', () => {
    const values = { project: 'myapp', id: 'oauth-a1b2c3' };
    expect(expandTemplate('../{project}-{id}', values, 'worktree')).toBe('../myapp-oauth-a1b2c3');
    expect(expandTemplate('feature/{id}', values, 'branch')).toBe('feature/oauth-a1b2c3');
    expect(() => expandTemplate('feature/{user}/{id}', values, 'branch')).toThrow(
      /unknown placeholder \{user\}/,
    );
    expect(tmuxSessionName('flux-my.app-x:1')).toBe('flux-my-app-x-1');
  });

  it('the task as a stage: no dependencies, gate human, the description as its text', () => {
    expect(taskDef('t', 'Do it\nwith care', ['npm test'])).toEqual({
      id: 't',
      name: 'Do it',
      description: 'Do it\nwith care',
      dependencies: [],
      acceptance: ['npm test'],
      files: [],
      gate: 'human',
    });
  });
});

describe('the task.created fold', () => {
  it('makes a task: a stage outside the plan, with its own worktree, branch and base', () => {
    const state = fold([
      {
        type: 'task.created',
        task: taskDef('t', 'Do it', []),
        worktree: '/src/proj-t',
        branch: 'feature/t',
        base: 'main',
        placement: 'pane',
        tmux_session: 'flux-proj-t',
      },
    ]);
    const task = state.stages.t!;
    expect(task).toMatchObject({ id: 't', status: 'pending', kind: 'task', sessions: [] });
    expect(task.task).toEqual({
      worktree: '/src/proj-t',
      branch: 'feature/t',
      base: 'main',
      placement: 'pane',
      tmuxSession: 'flux-proj-t',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(state.order).toEqual([]);
    expect(state.plan).toBeNull();
    expect(isTask(task)).toBe(true);
  });

  it('then goes through the stage and session lifecycles', () => {
    const state = fold(created('t'));
    expect(state.stages.t).toMatchObject({ status: 'running', session: 't.s1' });
    expect(state.sessions['t.s1']).toMatchObject({ stage: 't', status: 'starting', tmux: 'flux-proj-t' });
  });

  it('a plan initialized or updated later keeps the tasks', () => {
    const state = fold([
      ...created('t'),
      { type: 'plan.initialized', plan: plan([stageDef('a')]), base_branch: 'main' },
      {
        type: 'plan.updated',
        plan: plan([stageDef('a'), stageDef('b')]),
        added: ['b'],
        removed: [],
        changed: [],
      },
    ]);
    expect(state.order).toEqual(['a', 'b']);
    expect(tasksOf(state).map((t) => t.id)).toEqual(['t']);
    expect(state.stages.t).toMatchObject({ status: 'running', kind: 'task' });
  });

  it('a second task.created of the same id does not replay', () => {
    expect(() => fold([...created('t'), ...created('t').slice(0, 1)])).toThrow(/stage 't' is running/);
  });

  it('replaying gives the same state as folding event by event', () => {
    // One decision: each chooses a fresh agent session id.
    const events: NewEvent[] = [...onePlan, ...created('t'), { type: 'session.idle', session: 't.s1' }];
    expect(replay(stamp(events))).toEqual(fold(events));
  });
});

describe('decideTaskRun', () => {
  it('creates the task and starts its first session: ready, started, session.started', () => {
    given([])
      .when((state) => decideTaskRun(state, runInput('t', { placement: 'pane', tmuxTarget: '%7' })))
      .then(
        [
          {
            type: 'task.created',
            task: taskDef('t', 'Task t', []),
            worktree: '/src/proj-t',
            branch: 'feature/t',
            base: 'main',
            placement: 'pane',
            tmux_session: 'flux-proj-t',
          },
          { type: 'stage.ready', stage: 't' },
          { type: 'stage.started', stage: 't', session: 't.s1' },
          {
            type: 'session.started',
            session: 't.s1',
            stage: 't',
            agent: 'sim',
            tmux: '%7',
            agent_session_id: expect.any(String) as string,
          },
        ],
        ['launchSession'],
      );
  });

  it('refuses an id that is taken, by a task or by a plan stage', () => {
    given(created('t'))
      .when((state) => decideTaskRun(state, runInput('t')))
      .thenRefused(/task 't' already exists \(running, its session is alive\)/);
    given(onePlan)
      .when((state) => decideTaskRun(state, runInput('a')))
      .thenRefused(/'a' is a stage of the plan/);
  });
});

describe('decideTaskClose (flux task cleanup)', () => {
  it('a running task: completed (forced), then verified by the person', () => {
    given(created('t'))
      .when((state) => decideTaskClose(state, 't', 'human'))
      .then([
        { type: 'stage.completed', stage: 't', forced: true, by: 'human' },
        { type: 'stage.verified', stage: 't', by: 'human' },
      ]);
  });

  it('a task its agent declared done: verified only; a verified one (merge failed): nothing', () => {
    const done: NewEvent[] = [...created('t'), { type: 'stage.completed', stage: 't', forced: false }];
    given(done)
      .when((state) => decideTaskClose(state, 't', 'human'))
      .then([{ type: 'stage.verified', stage: 't', by: 'human' }]);
    given([
      ...done,
      { type: 'stage.verified', stage: 't', by: 'human' },
      { type: 'stage.merge_failed', stage: 't', reason: 'merge conflicts in a', conflicts: ['a'] },
    ])
      .when((state) => decideTaskClose(state, 't', 'human'))
      .then([]);
  });

  it('a task needing a handoff or failed closes too', () => {
    for (const stop of [
      { type: 'stage.handoff_requested', stage: 't', handoff: 'handoffs/t-handoff-001.md' },
      { type: 'stage.failed', stage: 't', reason: 'x' },
    ] as NewEvent[]) {
      given([...created('t'), stop])
        .when((state) => decideTaskClose(state, 't', 'human'))
        .then([
          { type: 'stage.completed', stage: 't', forced: true, by: 'human' },
          { type: 'stage.verified', stage: 't', by: 'human' },
        ]);
    }
  });

  it('names the tasks when the id is unknown, and tells a plan stage from a task', () => {
    const state = fold([...onePlan, ...created('oauth-a1b2c3')]);
    expect(() => requireTask(state, 'oauth-a1b2c4')).toThrow(/no task 'oauth-a1b2c4'/);
    expect(() => requireTask(state, 'a')).toThrow(/a stage of the plan, not an ad hoc task/);
  });
});

describe('the plan machinery leaves tasks alone', () => {
  const live = [...onePlan, ...created('t'), { type: 'session.idle', session: 't.s1' } as NewEvent];

  it('decideStarts never starts a ready task, and a live task session takes no slot', () => {
    const state = fold([...onePlan, ...created('t').slice(0, 2)]);
    expect(state.stages.t!.status).toBe('ready');
    const starts = decideStarts(state, { maxParallel: 1, agent: 'sim', sessionPrefix: 'flux-' });
    expect(starts.events.filter((e) => e.type === 'stage.started')).toEqual([
      { type: 'stage.started', stage: 'a', session: 'a.s1' },
    ]);
    given(live)
      .when((s) => decideStarts(s, { maxParallel: 1, agent: 'sim', sessionPrefix: 'flux-' }))
      .then(
        [
          { type: 'stage.started', stage: 'a', session: 'a.s1' },
          {
            type: 'session.started',
            session: 'a.s1',
            stage: 'a',
            agent: 'sim',
            tmux: 'flux-a',
            agent_session_id: expect.any(String) as string,
          },
        ],
        ['launchSession'],
      );
  });

  it('a task that handed off gets its fresh session, in the same pane, with its first agent', () => {
    const state = fold([
      ...created('t', { placement: 'pane', tmuxTarget: '%7', agent: 'claude' }),
      { type: 'session.handing_off', session: 't.s1', trigger: 'threshold' },
      { type: 'stage.handoff_requested', stage: 't', session: 't.s1', handoff: 'handoffs/t-handoff-001.md' },
    ]);
    const decision = decideStarts(state, { maxParallel: 0, agent: 'sim', sessionPrefix: 'flux-' });
    expect(decision.events.filter((e) => e.type === 'stage.started' || e.type === 'session.started')).toEqual(
      [
        { type: 'stage.started', stage: 't', session: 't.s2' },
        {
          type: 'session.started',
          session: 't.s2',
          stage: 't',
          agent: 'claude',
          tmux: '%7',
          agent_session_id: expect.any(String) as string,
          handoff: 'handoffs/t-handoff-001.md',
        },
      ],
    );
    expect(decision.effects.map((e) => e.type)).toContain('launchSession');
  });

  it('a task resumed after a crash runs in its detached session (its pane may be gone)', () => {
    const state = fold([
      ...created('t', { placement: 'pane', tmuxTarget: '%7' }),
      { type: 'session.crashed', session: 't.s1', reason: 'killed' },
    ]);
    const task = state.stages.t as TaskState;
    expect(nextTaskTarget(state, task)).toBe('flux-proj-t');
    expect(startEvents(state, task, 'sim', 'flux-')[1]).toMatchObject({ tmux: 'flux-proj-t' });
    // And the monitor does not restart it on its own.
    expect(decideStarts(state, { maxParallel: 4, agent: 'sim', sessionPrefix: 'flux-' }).events).toEqual([]);
  });

  it('reconcile: a task in a live pane stays alive, a gone one is crashed; a verified task is not merged', () => {
    const pane = [...created('t', { placement: 'pane', tmuxTarget: '%7' })];
    given(pane)
      .when((s) => decideReconcile(s, { tmux: new Set(['%7']), worktrees: new Set() }))
      .then([]);
    given(pane)
      .when((s) => decideReconcile(s, { tmux: new Set(['%8']), worktrees: new Set() }))
      .then([{ type: 'session.crashed', session: 't.s1', reason: 'its tmux session %7 is gone' }]);
    given([...pane, ...(decideTaskClose(fold(pane), 't', 'human').events as NewEvent[])])
      .when((s) => decideReconcile(s, { tmux: new Set(['%7']), worktrees: new Set(['t']) }))
      .then([], []);
  });

  it('the monitor does not wait on a task: its live sessions are not the plan’s', () => {
    const state = fold([...onePlan, { type: 'stage.completed', stage: 'a', forced: true }, ...created('t')]);
    expect(liveSessions(state)).toEqual([]);
    expect(liveSessions(state, { tasks: true }).map((s) => s.id)).toEqual(['t.s1']);
    expect(canMove(state)).toBe(false);
  });

  it('flux status shows tasks apart from the plan, with what they wait for', () => {
    const view = statusView(
      fold([...onePlan, ...created('t'), { type: 'stage.completed', stage: 't', forced: false }]),
    );
    expect(view.stages.map((s) => s.id)).toEqual(['a']);
    expect(view.progress).toEqual({ merged: 0, total: 1 });
    expect(view.tasks).toMatchObject([
      { id: 't', status: 'completed', branch: 'feature/t', worktree: '/src/proj-t', placement: 'session' },
    ]);
    expect(view.attention).toContainEqual({
      stage: 't',
      what: 'task done: review and merge it',
      command: 'flux task cleanup t',
    });
    expect(statusView(fold(created('t'))).plan).toBeNull();
  });
});

describe('what the task agent is told', () => {
  const state = fold(created('oauth-a1b2c3'));
  const task = state.stages['oauth-a1b2c3'] as TaskState;

  it('the meta prompt: the task, the worktree and branch, quality gates, how to finish and hand off', () => {
    const prompt = renderTaskPrompt({
      task,
      session: 'oauth-a1b2c3.s1',
      worktree: '/src/proj-oauth-a1b2c3',
      handoff: null,
      branchCommits: [],
    });
    expect(prompt).toContain('# Flux task oauth-a1b2c3');
    expect(prompt).toContain('Task oauth-a1b2c3');
    expect(prompt).toContain('/src/proj-oauth-a1b2c3, on branch feature/oauth-a1b2c3 (forked from main)');
    expect(prompt).toContain('tests and linters pass');
    expect(prompt).toContain('Small, focused commits');
    expect(prompt).toContain('Nothing outside the task');
    expect(prompt).toContain('Run `flux done`');
    expect(prompt).toContain('flux task cleanup oauth-a1b2c3');
    expect(prompt).toContain('.work/handoffs/oauth-a1b2c3-handoff-001.md');
    expect(taskRules('oauth-a1b2c3')).toContain('ad hoc task oauth-a1b2c3');
  });

  it('a continued session gets the handoff', () => {
    const prompt = renderTaskPrompt({
      task,
      session: 'oauth-a1b2c3.s2',
      worktree: '/w',
      handoff: { path: 'handoffs/oauth-a1b2c3-handoff-001.md', text: 'Summary: half done.' },
      branchCommits: [],
    });
    expect(prompt).toContain('Continue from the handoff (.work/handoffs/oauth-a1b2c3-handoff-001.md)');
    expect(prompt).toContain('Summary: half done.');
  });

  it('next steps fit the state', () => {
    const facts = { running: true, worktreeExists: true, dirty: [], ahead: 2 };
    expect(taskNextSteps(state, task, facts)).toEqual([
      'watch it: `flux attach oauth-a1b2c3`',
      'when it is done: `flux task cleanup oauth-a1b2c3`',
    ]);
    expect(taskNextSteps(state, task, { ...facts, running: false, dirty: ['a.txt'] })[1]).toContain(
      '--commit',
    );
    const done = fold([
      ...created('oauth-a1b2c3'),
      { type: 'stage.completed', stage: 'oauth-a1b2c3', forced: false },
    ]);
    expect(taskNextSteps(done, done.stages['oauth-a1b2c3'] as TaskState, facts)[0]).toContain(
      'the agent declared it done',
    );
  });
});
