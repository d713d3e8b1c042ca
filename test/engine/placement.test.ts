/**
 * Placing stages over `run.hosts` (docs/hosts.md): free slots per machine in
 * order, pins, a stage staying where its worktree is, and an unreachable
 * host taking nothing (its unpinned stages go elsewhere).
 */
import { describe, expect, it } from 'vitest';
import { machinesOf } from '../../src/engine/hosts.js';
import { decideStarts, type Machines, type StartOptions } from '../../src/engine/scheduler.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from './spec.js';

const ids = ['a', 'b', 'c', 'd'];
const initialized: NewEvent[] = [
  { type: 'plan.initialized', plan: plan(ids.map((id) => stageDef(id))), base_branch: 'main' },
  ...ids.map((stage): NewEvent => ({ type: 'stage.ready', stage })),
];

const machines = (over: Partial<Machines> = {}): Machines => ({
  order: ['local', 'box1'],
  slots: { box1: 2 },
  pins: {},
  ...over,
});

function placed(events: NewEvent[], options: Partial<StartOptions> & { machines: Machines }) {
  const decision = decideStarts(fold(events), {
    maxParallel: 1,
    agent: 'sim',
    sessionPrefix: 'flux-',
    ...options,
  });
  return Object.fromEntries(
    decision.events.flatMap((e) => (e.type === 'session.started' ? [[e.stage, e.host ?? 'local']] : [])),
  );
}

describe('placing stages on machines', () => {
  it('fills run.hosts in order by free slots: local takes max_parallel, each host its own', () => {
    expect(placed(initialized, { machines: machines() })).toEqual({ a: 'local', b: 'box1', c: 'box1' });
  });

  it('a pinned stage goes only to its host, and waits when that host is full', () => {
    const pins = { a: 'box1', b: 'box1', c: 'box1' };
    expect(placed(initialized, { machines: machines({ pins }) })).toEqual({
      a: 'box1',
      b: 'box1',
      d: 'local',
    });
  });

  it('an unreachable host takes no new session; its unpinned stage is placed again elsewhere', () => {
    const away: NewEvent[] = [
      ...initialized,
      { type: 'stage.started', stage: 'a', session: 'a.s1' },
      { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'sim', tmux: 'flux-a', host: 'box1' },
      { type: 'host.unreachable', host: 'box1', reason: 'Connection refused' },
      { type: 'session.crashed', session: 'a.s1', reason: 'could not start' },
    ];
    const result = placed(away, { maxParallel: 4, machines: machines() });
    expect(result.a).toBe('local');
    expect(Object.values(result)).not.toContain('box1');
  });

  it('a stage that ran on a host stays there for its next session (its worktree is there)', () => {
    const handedOff: NewEvent[] = [
      ...initialized,
      { type: 'stage.started', stage: 'a', session: 'a.s1' },
      { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'sim', tmux: 'flux-a', host: 'box1' },
      { type: 'session.crashed', session: 'a.s1', reason: 'the agent was killed by signal 9' },
    ];
    expect(placed(handedOff, { only: 'a', maxParallel: 4, machines: machines() })).toEqual({ a: 'box1' });
  });

  it('machinesOf: nothing to place when only local is named and nothing is pinned', () => {
    const config = { run: { hosts: ['local'] }, hosts: {}, stages: {} };
    expect(machinesOf(config)).toBeUndefined();
    const host = {
      ssh: 'me@box1',
      ssh_options: [],
      dir: '.flux',
      max_parallel: 3,
      flux: [],
      check_host_key: true,
    };
    expect(
      machinesOf({ run: { hosts: ['local'] }, hosts: { box1: host }, stages: { a: { host: 'box1' } } }),
    ).toEqual({
      order: ['local', 'box1'],
      slots: { box1: 3 },
      pins: { a: 'box1' },
    });
  });
});
