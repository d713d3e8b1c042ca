/**
 * Where stages and sessions run, as the views say it (src/engine/host-view.ts)
 * and as `flux status --json` carries it (statusView): `local` or the host,
 * null before the first session, the hosts Flux cannot reach.
 */
import { describe, expect, it } from 'vitest';
import {
  clockTime,
  hostCell,
  sessionMachine,
  showsHosts,
  stageMachine,
  unreachableHosts,
  unreachableLine,
} from '../../src/engine/host-view.js';
import { statusView } from '../../src/engine/views.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from './spec.js';

const AT = '2026-01-01T00:00:00.000Z';

/** api on box1, ui here, docs not started; with `cut`, box1 cannot be reached. */
function events(cut = false): NewEvent[] {
  return [
    {
      type: 'plan.initialized',
      plan: plan([stageDef('api'), stageDef('ui'), stageDef('docs', ['api'])]),
      base_branch: 'main',
    },
    { type: 'stage.ready', stage: 'api' },
    { type: 'stage.ready', stage: 'ui' },
    { type: 'stage.started', stage: 'api', session: 'api.s1' },
    {
      type: 'session.started',
      session: 'api.s1',
      stage: 'api',
      agent: 'sim',
      tmux: 'flux-api',
      host: 'box1',
    },
    { type: 'stage.started', stage: 'ui', session: 'ui.s1' },
    { type: 'session.started', session: 'ui.s1', stage: 'ui', agent: 'sim', tmux: 'flux-ui' },
    ...(cut
      ? [
          {
            type: 'host.unreachable',
            host: 'box1',
            reason: 'ssh: connect to host box1 port 22: Connection refused',
          } as NewEvent,
        ]
      : []),
  ];
}

describe('the machine of a stage and of a session', () => {
  it('a session on a host names it; one here is local', () => {
    const state = fold(events());
    expect(sessionMachine(state.sessions['api.s1']!)).toBe('box1');
    expect(sessionMachine(state.sessions['ui.s1']!)).toBe('local');
  });

  it("a stage is on its last session's machine; null before its first session", () => {
    const state = fold(events());
    expect(stageMachine(state, 'api')).toBe('box1');
    expect(stageMachine(state, 'ui')).toBe('local');
    expect(stageMachine(state, 'docs')).toBeNull();
  });

  it('flux status --json: a host per stage, and no unreachable host while all answer', () => {
    const view = statusView(fold(events()));
    expect(view.stages.map((row) => [row.id, row.host])).toEqual([
      ['api', 'box1'],
      ['ui', 'local'],
      ['docs', null],
    ]);
    expect(view.unreachable).toEqual([]);
  });

  it('flux status --json: a host that cannot be reached, with why and since when', () => {
    const view = statusView(fold(events(true)));
    expect(view.unreachable).toEqual([
      { host: 'box1', reason: 'ssh: connect to host box1 port 22: Connection refused', since: AT },
    ]);
    // The stage stays on its host: it waits for it.
    expect(view.stages[0]!.host).toBe('box1');
  });

  it('host.reachable clears it', () => {
    const state = fold([...events(true), { type: 'host.reachable', host: 'box1' }]);
    expect(unreachableHosts(state)).toEqual([]);
  });
});

describe('the HOST column and its cells', () => {
  const away = [{ host: 'box1', reason: 'Connection refused', since: AT }];

  it('shown when a row is on a host, a host is unreachable, or the config names hosts; never otherwise', () => {
    expect(showsHosts(['local', null], [], [])).toBe(false);
    expect(showsHosts([], [], [])).toBe(false);
    expect(showsHosts(['local', 'box1'], [], [])).toBe(true);
    expect(showsHosts(['local'], away, [])).toBe(true);
    expect(showsHosts(['local'], [], ['box1'])).toBe(true);
  });

  it('box1, box1 ✗ when it cannot be reached, local, - before the first session', () => {
    expect(hostCell('box1', [])).toBe('box1');
    expect(hostCell('box1', away)).toBe('box1 ✗');
    expect(hostCell('box2', away)).toBe('box2');
    expect(hostCell('local', away)).toBe('local');
    expect(hostCell(null, away)).toBe('-');
  });

  it('the unreachable line: host, local time (the date on another day), ssh words', () => {
    const since = '2026-11-21T12:03:00.000Z';
    const hhmm = new Date(since).toTimeString().slice(0, 5);
    const sameDay = Date.parse(since) + 60_000;
    expect(unreachableLine({ host: 'box1', reason: 'Connection refused', since }, sameDay)).toBe(
      `host box1 unreachable since ${hhmm} (Connection refused)`,
    );
    const later = Date.parse(since) + 3 * 86_400_000;
    const local = new Date(since);
    const day = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
    expect(clockTime(since, later)).toBe(`${day} ${hhmm}`);
    expect(clockTime('not a time', later)).toBe('not a time');
  });
});
