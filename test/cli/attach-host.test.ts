/**
 * `flux attach` and the listings for sessions on hosts: the argv that
 * attaches (`ssh -t … tmux -L <socket>-<host> attach-session -t =<name>`,
 * the same from inside a local tmux), which sessions `flux attach list`
 * offers (alive where they run), and the HOST column of `flux attach list`
 * and `flux sessions`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostAttachArgv } from '../../src/engine/runtime/host-attach.js';
import { attachable, attachTable } from '../../src/cli/commands/attach.js';
import { sessionRow, sessionsTable } from '../../src/cli/commands/sessions.js';
import { tmuxAlive, type TmuxSeen } from '../../src/cli/tmux-names.js';
import { HostWorld } from '../../src/effects/host/world.js';
import { controlDir } from '../../src/effects/ssh/argv.js';
import { hostSchema } from '../../src/engine/hosts.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from '../engine/spec.js';

function world(socket: string | undefined): HostWorld {
  const config = hostSchema.parse({
    ssh: 'me@box1.lan',
    port: 2222,
    ssh_options: ['-i', '/home/me/.ssh/box1'],
  });
  return new HostWorld('box1', config, {
    root: '/repo',
    workDir: '/repo/.work',
    distBin: '/opt/flux/dist/bin',
    tmuxSocket: socket,
  });
}

const EXPECTED_SSH = [
  'ssh',
  '-o',
  'BatchMode=yes',
  '-o',
  'StrictHostKeyChecking=yes',
  '-i',
  '/home/me/.ssh/box1',
  '-o',
  'ConnectTimeout=10',
  '-o',
  'ServerAliveInterval=5',
  '-o',
  'ServerAliveCountMax=3',
  '-o',
  'ControlMaster=auto',
  '-o',
  `ControlPath=${controlDir()}/%C`,
  '-o',
  'ControlPersist=60',
  '-p',
  '2222',
  '-t',
  'me@box1.lan',
];

describe('the argv that attaches to a session on a host', () => {
  const saved = { TMUX: process.env.TMUX };
  afterEach(() => {
    if (saved.TMUX === undefined) delete process.env.TMUX;
    else process.env.TMUX = saved.TMUX;
  });

  it("ssh -t to the host, running tmux attach on the host's server (<socket>-box1)", () => {
    expect(hostAttachArgv(world('flux'), 'flux-api')).toEqual([
      ...EXPECTED_SSH,
      'tmux -L flux-box1 attach-session -t =flux-api',
    ]);
  });

  it("the host user's default server when this machine uses its default one", () => {
    expect(hostAttachArgv(world(undefined), 'flux-api').at(-1)).toBe('tmux attach-session -t =flux-api');
  });

  it('inside a local tmux still ssh in this pane: no switch-client, no local TMUX sent', () => {
    process.env.TMUX = '/tmp/tmux-1000/flux-box1,4242,0';
    const argv = hostAttachArgv(world('flux'), 'flux-api');
    expect(argv.at(-1)).toBe('tmux -L flux-box1 attach-session -t =flux-api');
    expect(argv.join(' ')).not.toMatch(/switch-client|env -u|TMUX=/);
  });

  it("a session name the host's shell would split is quoted for it", () => {
    expect(hostAttachArgv(world('flux'), "it's").at(-1)).toBe(
      `tmux -L flux-box1 attach-session -t '=it'\\''s'`,
    );
  });
});

const events: NewEvent[] = [
  {
    type: 'plan.initialized',
    plan: plan([stageDef('api'), stageDef('ui'), stageDef('db')]),
    base_branch: 'main',
  },
  ...['api', 'ui', 'db'].flatMap((stage): NewEvent[] => [
    { type: 'stage.ready', stage },
    { type: 'stage.started', stage, session: `${stage}.s1` },
    {
      type: 'session.started',
      session: `${stage}.s1`,
      stage,
      agent: 'sim',
      tmux: `flux-${stage}`,
      ...(stage === 'ui' ? {} : { host: stage === 'api' ? 'box1' : 'box2' }),
    },
  ]),
];

describe('which sessions are alive where they run', () => {
  const state = fold(events);
  const seen: TmuxSeen = {
    // flux-api exists here too (a stray of another project): it is not the host's session.
    local: new Set(['flux-ui', 'flux-api']),
    hosts: new Map<string, Set<string> | { unreachable: string }>([
      ['box1', new Set(['flux-api'])],
      ['box2', { unreachable: 'Connection refused' }],
    ]),
  };

  it('a session is looked for on its own server; null where its host did not answer', () => {
    expect(tmuxAlive(seen, state.sessions['api.s1']!)).toBe(true);
    expect(tmuxAlive(seen, state.sessions['ui.s1']!)).toBe(true);
    expect(tmuxAlive(seen, state.sessions['db.s1']!)).toBeNull();
    const gone: TmuxSeen = { ...seen, hosts: new Map([['box1', new Set<string>()]]) };
    expect(tmuxAlive(gone, state.sessions['api.s1']!)).toBe(false);
  });

  it('flux attach list: the sessions that can be attached to now, each with its host', () => {
    expect(attachable(state, seen).map((row) => [row.stage, row.host])).toEqual([
      ['api', 'box1'],
      ['ui', 'local'],
    ]);
  });

  it('flux attach list: HOST only where hosts are in use', () => {
    const rows = attachable(state, seen);
    expect(attachTable(rows, true, 120).split('\n')[0]).toMatch(
      /^SESSION\s+STAGE\s+STATUS\s+HOST\s+CONTEXT$/,
    );
    expect(attachTable(rows, true, 120)).toMatch(/^flux-api\s+api\s+starting\s+box1\s+-$/m);
    expect(attachTable(rows.slice(1), false, 120).split('\n')[0]).toMatch(
      /^SESSION\s+STAGE\s+STATUS\s+CONTEXT$/,
    );
  });

  it('flux sessions: the host of each, box1 ✗ for one that did not answer, tmuxAlive null there', () => {
    const rows = Object.values(state.sessions).map((s) => sessionRow(s, seen));
    expect(rows.map((r) => [r.id, r.host, r.tmuxAlive])).toEqual([
      ['api.s1', 'box1', true],
      ['ui.s1', 'local', true],
      ['db.s1', 'box2', null],
    ]);
    const text = sessionsTable(rows, [], ['box2'], 160);
    expect(text.split('\n')[0]).toMatch(/^SESSION\s+STATUS\s+AGENT\s+TMUX\s+HOST\s+STARTED\s+CONTEXT$/);
    expect(text).toMatch(/^db\.s1\s+starting\s+sim\s+flux-db\s+box2 ✗\s/m);
    // Not called gone: the host could not say.
    expect(text).not.toContain('(gone)');
  });

  it('flux sessions: no HOST column for sessions all here and no [hosts]', () => {
    const rows = [sessionRow(state.sessions['ui.s1']!, seen)];
    expect(sessionsTable(rows, [], [], 160).split('\n')[0]).toMatch(
      /^SESSION\s+STATUS\s+AGENT\s+TMUX\s+STARTED\s+CONTEXT$/,
    );
  });
});
