/**
 * For the dashboard's component tests: a plan folded from events (each a
 * second after the last), fake actions that record what the keys asked for
 * and change the state as the real ones would, and a shell that records
 * what would have been run in the terminal.
 */
import { RefusedError } from '../../../src/errors.js';
import type { DashboardActions, ReviewSink } from '../../../src/cli/ui/actions.js';
import type { Shell } from '../../../src/cli/ui/controller.js';
import type { SupervisorState } from '../../../src/cli/ui/supervisor.js';
import type { BudgetDefaults } from '../../../src/engine/budget.js';
import { evolve } from '../../../src/engine/evolve.js';
import { initialState, type FluxState } from '../../../src/engine/state.js';
import type { FluxEvent, NewEvent } from '../../../src/log/events.js';
import { plan, stageDef } from '../../engine/spec.js';

export const T0 = Date.parse('2026-11-21T10:00:00.000Z');

/** A log in the making: each event one second after the one before. */
export class Log {
  state: FluxState = initialState();
  private seq = 0;

  add(...events: NewEvent[]): this {
    for (const event of events) {
      this.seq++;
      const stamped = { ...event, v: 1, seq: this.seq, at: new Date(T0 + this.seq * 1000).toISOString() };
      this.state = evolve(this.state, stamped as FluxEvent);
    }
    return this;
  }

  get now(): number {
    return T0 + this.seq * 1000;
  }
}

export const PLAN = plan(
  [
    stageDef('stage-1-models', [], { name: 'Data Models', files: ['src/models/*.rs'] }),
    stageDef('stage-2-api', ['stage-1-models'], { name: 'API Endpoints' }),
    stageDef('stage-3-frontend', ['stage-1-models'], { name: 'Frontend Components' }),
  ],
  'doc/plans/PLAN-auth.md',
);

export function started(stage: string, n = 1): NewEvent[] {
  const session = `${stage}.s${n}`;
  return [
    { type: 'stage.started', stage, session },
    { type: 'session.started', session, stage, agent: 'sim', tmux: `flux-${stage}` },
  ];
}

/** stage-1 merged, stage-2 asking for a permission, stage-3 completed and waiting for review. */
export function authLog(): Log {
  const log = new Log().add(
    {
      type: 'plan.initialized',
      plan: { ...PLAN, title: 'Implement User Authentication' },
      base_branch: 'main',
    },
    { type: 'stage.ready', stage: 'stage-1-models' },
    ...started('stage-1-models'),
    { type: 'session.working', session: 'stage-1-models.s1' },
    { type: 'session.context', session: 'stage-1-models.s1', percent: 18 },
    { type: 'stage.completed', stage: 'stage-1-models', forced: false },
    { type: 'session.ended', session: 'stage-1-models.s1', reason: 'stage completed' },
    { type: 'stage.verified', stage: 'stage-1-models', by: 'human' },
    { type: 'stage.merged', stage: 'stage-1-models', commit: '0ef5d4d5d925aa' },
    { type: 'stage.ready', stage: 'stage-2-api' },
    { type: 'stage.ready', stage: 'stage-3-frontend' },
    ...started('stage-2-api'),
    ...started('stage-3-frontend'),
    { type: 'session.working', session: 'stage-2-api.s1' },
    { type: 'session.context', session: 'stage-2-api.s1', percent: 42 },
    {
      type: 'session.waiting_permission',
      session: 'stage-2-api.s1',
      tool: 'Bash',
      detail: 'curl -o schema.json https://example.invalid/schemas/auth/v2/schema.json --retry 3',
    },
    { type: 'session.working', session: 'stage-3-frontend.s1' },
    { type: 'session.context', session: 'stage-3-frontend.s1', percent: 81 },
    { type: 'stage.completed', stage: 'stage-3-frontend', forced: false },
    { type: 'session.ended', session: 'stage-3-frontend.s1', reason: 'stage completed' },
  );
  return log;
}

export interface Call {
  action: string;
  args: unknown[];
}

/** Fake actions over a Log: each records its call and appends what the real one would. */
export function fakeActions(
  log: Log,
  options: {
    supervisor?: SupervisorState;
    review?: (id: string, sink: ReviewSink) => Promise<void>;
    budgetDefaults?: BudgetDefaults;
    /** The config's `[hosts]` names. */
    hosts?: string[];
  } = {},
): DashboardActions & { calls: Call[] } {
  const calls: Call[] = [];
  const record = (action: string, ...args: unknown[]): void => void calls.push({ action, args });
  const waitingSession = (id: string): string => {
    const stage = log.state.stages[id]!;
    const session = stage.session === null ? undefined : log.state.sessions[stage.session];
    if (session?.waiting === null || session === undefined)
      throw new RefusedError(
        `${id} is not waiting for a permission answer`,
        '`flux status` lists what waits on you',
      );
    return session.id;
  };
  return {
    calls,
    load: () => log.state,
    supervisor: () => options.supervisor ?? { running: false },
    budgetDefaults: () => options.budgetDefaults ?? {},
    hosts: () => options.hosts ?? [],
    approvePermission: async (id) => {
      record('approvePermission', id);
      const session = waitingSession(id);
      log.add({ type: 'session.permission_answered', session, decision: 'allow' });
      return { lines: [`Allowed the question of ${id}.`] };
    },
    denyPermission: async (id, reason) => {
      record('denyPermission', id, reason);
      const session = waitingSession(id);
      log.add({
        type: 'session.permission_answered',
        session,
        decision: 'deny',
        ...(reason === undefined ? {} : { reason }),
      });
      return { lines: [`Denied the question of ${id}${reason === undefined ? '' : ` (${reason})`}.`] };
    },
    review: async (id, sink) => {
      record('review', id);
      if (log.state.stages[id]?.status !== 'completed')
        throw new RefusedError(
          `stage '${id}' is ${log.state.stages[id]?.status}, not completed`,
          'wait for it',
        );
      await options.review?.(id, sink);
      return {
        passed: true,
        diff: 'diff --git a/x b/x\n+added line\n-removed line\n',
        diffArgs: ['git', 'diff', `main...flux/${id}`],
      };
    },
    approve: async (id) => {
      record('approve', id);
      log.add(
        { type: 'stage.verified', stage: id, by: 'human' },
        { type: 'stage.merged', stage: id, commit: 'abcdef123456' },
      );
      return { lines: [`Approved ${id}.`, `Merged ${id} into main: abcdef123456`] };
    },
    reject: async (id, reason) => {
      record('reject', id, reason);
      log.add({ type: 'stage.rejected', stage: id, reason });
      return { lines: [`Rejected ${id}: ${reason}`] };
    },
    merge: async (id) => {
      record('merge', id);
      return { lines: [`Merged ${id}.`] };
    },
    resume: async (id) => {
      record('resume', id);
      return { lines: [`Resumed ${id}.`] };
    },
    attach: async (id) => {
      record('attach', id);
      return { argv: ['tmux', 'attach-session', '-t', `=flux-${id}`], banner: '' };
    },
    pane: async (id, lines) => {
      record('pane', id, lines);
      return [`pane of ${id}`, '$ cargo test', 'test result: ok'];
    },
    conflicts: async () => ({}),
  };
}

export function fakeShell(): Shell & { ran: string[][]; quitWith: number[] } {
  const ran: string[][] = [];
  const quitWith: number[] = [];
  return {
    ran,
    quitWith,
    runInTerminal: async (argv) => {
      ran.push([...argv]);
      return { status: 0 };
    },
    quit: (code) => void quitWith.push(code),
  };
}
