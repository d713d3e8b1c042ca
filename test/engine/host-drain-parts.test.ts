/**
 * The drainer's parts, each alone (src/engine/runtime/host-drain/): which
 * requests from a host are refused, how handoff documents come in, the
 * order requests are applied in, the environment a request is applied
 * with, and the replies kept against a request sent twice.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayRequest } from '../../src/hosts/protocol.js';
import { refusal } from '../../src/engine/runtime/host-drain/admit.js';
import { hostsWithWork } from '../../src/engine/runtime/host-relays.js';
import { applyEnvironment, type LocalEntry } from '../../src/engine/runtime/host-drain/apply.js';
import { receiveHandoffs } from '../../src/engine/runtime/host-drain/handoffs.js';
import { KeptReplies, KEPT_REPLY_MAX_AGE_MS } from '../../src/engine/runtime/host-drain/kept-replies.js';
import { laneOf, Lanes } from '../../src/engine/runtime/host-drain/lanes.js';
import type { NewEvent } from '../../src/log/events.js';
import { fold, plan, stageDef } from './spec.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-host-drain-'));
  made.push(dir);
  return dir;
}

/** api.s1 on box1, web.s1 on this machine. */
const STATE = fold([
  { type: 'plan.initialized', plan: plan([stageDef('api'), stageDef('web')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'api' },
  { type: 'stage.ready', stage: 'web' },
  { type: 'stage.started', stage: 'api', session: 'api.s1' },
  {
    type: 'session.started',
    session: 'api.s1',
    stage: 'api',
    agent: 'claude',
    tmux: 'flux-api',
    host: 'box1',
  },
  { type: 'stage.started', stage: 'web', session: 'web.s1' },
  { type: 'session.started', session: 'web.s1', stage: 'web', agent: 'claude', tmux: 'flux-web' },
] as NewEvent[]);

function hookRequest(fields: Partial<RelayRequest> = {}): RelayRequest {
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    session: 'api.s1',
    stage: 'api',
    env: {},
    kind: 'hook',
    hook: 'Stop',
    stdin: '{}',
    ...fields,
  } as RelayRequest;
}

function cli(argv: string[], fields: Partial<RelayRequest> = {}): RelayRequest {
  return { ...hookRequest(fields), kind: 'cli', argv } as RelayRequest;
}

describe('which requests a host may make', () => {
  it('its own session, for its own stage: admitted', () => {
    expect(STATE.sessions['api.s1']).toMatchObject({ host: 'box1' });
    expect(refusal(STATE, 'box1', hookRequest())).toBeNull();
    expect(refusal(STATE, 'box1', cli(['done']))).toBeNull();
    expect(refusal(STATE, 'box1', cli(['done', 'api']))).toBeNull();
    expect(refusal(STATE, 'box1', cli(['status', '--json']))).toBeNull();
  });

  it('a session that does not exist', () => {
    expect(refusal(STATE, 'box1', hookRequest({ session: 'api.s9' }))).toBe(
      "no session api.s9 in this plan's log",
    );
  });

  it("another stage's session, or its own session claimed for another stage", () => {
    expect(refusal(STATE, 'box1', hookRequest({ stage: 'web' }))).toBe(
      "session api.s1 is stage api's, not web's",
    );
  });

  it('a session of this machine, or of another host', () => {
    expect(refusal(STATE, 'box1', hookRequest({ session: 'web.s1', stage: 'web' }))).toBe(
      'session web.s1 runs on this machine, not on box1',
    );
    expect(refusal(STATE, 'box2', hookRequest())).toBe('session api.s1 runs on box1, not on box2');
  });

  it('flux done or handoff naming another stage; flux status with more than --json', () => {
    expect(refusal(STATE, 'box1', cli(['done', 'web']))).toBe(
      'flux done from a host acts for its own stage only (api), not "web"',
    );
    expect(refusal(STATE, 'box1', cli(['handoff', 'api', 'extra']))).toMatch(/own stage only/);
    expect(refusal(STATE, 'box1', cli(['status', '--watch']))).toBe(
      'flux status from a host takes only --json',
    );
  });
});

describe('handoff documents from a host', () => {
  const state = (recorded: string[] = []) => {
    const copy = structuredClone(STATE);
    copy.stages.api!.handoffs = recorded;
    return copy;
  };

  it("writes the stage's documents into .work/handoffs/", () => {
    const work = tempDir();
    const notes = receiveHandoffs(work, state(), hookRequest({ handoffs: { 'api-handoff-001.md': 'one' } }));
    expect(notes).toEqual([]);
    expect(fs.readFileSync(path.join(work, 'handoffs', 'api-handoff-001.md'), 'utf8')).toBe('one');
  });

  it("refuses any other name: another stage's, a path, a name of another shape", () => {
    const work = tempDir();
    const handoffs = {
      'web-handoff-001.md': 'x',
      '../../evil-handoff-001.md': 'x',
      'api-handoff-1.md': 'x',
      'api-handoff-001.md.sh': 'x',
    };
    const notes = receiveHandoffs(work, state(), hookRequest({ handoffs }));
    expect(notes).toHaveLength(4);
    for (const note of notes)
      expect(note).toMatch(/is not one of api's \(api-handoff-NNN\.md\): not written/);
    expect(fs.existsSync(path.join(work, 'handoffs'))).toBe(false);
  });

  it("follows the host's copy until the log records it; once recorded, a different copy is not written", () => {
    const work = tempDir();
    const file = path.join(work, 'handoffs', 'api-handoff-001.md');
    receiveHandoffs(work, state(), hookRequest({ handoffs: { 'api-handoff-001.md': 'draft' } }));
    receiveHandoffs(work, state(), hookRequest({ handoffs: { 'api-handoff-001.md': 'final' } }));
    expect(fs.readFileSync(file, 'utf8')).toBe('final');
    const notes = receiveHandoffs(
      work,
      state(['handoffs/api-handoff-001.md']),
      hookRequest({ handoffs: { 'api-handoff-001.md': 'changed afterwards' } }),
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('final');
    expect(notes).toEqual([
      ".work/handoffs/api-handoff-001.md is recorded already; the host's different copy is not written over it",
    ]);
    // The same text again is nothing to say.
    expect(
      receiveHandoffs(
        work,
        state(['handoffs/api-handoff-001.md']),
        hookRequest({ handoffs: { 'api-handoff-001.md': 'final' } }),
      ),
    ).toEqual([]);
  });
});

describe('the order requests are applied in', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it("one session's requests one at a time, in order; another session's meanwhile", async () => {
    const lanes = new Lanes();
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<void>((resolve) => {
        log.push(`start ${name}`);
        gates.set(name, () => {
          log.push(`end ${name}`);
          resolve();
        });
      });
    const a1 = lanes.run('a', task('a1'));
    const a2 = lanes.run('a', task('a2'));
    const b1 = lanes.run('b', task('b1'));
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    gates.get('b1')!();
    await b1;
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    gates.get('a1')!();
    await a1;
    await tick();
    expect(log.slice(-2)).toEqual(['end a1', 'start a2']);
    gates.get('a2')!();
    await a2;
    await tick();
    expect(lanes.busy).toBe(0);
  });

  it('a failed request does not stop the ones after it', async () => {
    const lanes = new Lanes();
    const failed = lanes.run('a', () => Promise.reject(new Error('boom')));
    const next = lanes.run('a', () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it("a session's status line has its own lane: it never waits behind a permission question", () => {
    const permission = hookRequest({ hook: 'PermissionRequest' } as Partial<RelayRequest>);
    const statusLine = hookRequest({ hook: 'StatusLine' } as Partial<RelayRequest>);
    expect(laneOf(permission)).not.toBe(laneOf(statusLine));
    expect(laneOf(permission)).toBe(laneOf(cli(['done'])));
    expect(laneOf(permission)).not.toBe(laneOf(hookRequest({ session: 'web.s1' })));
  });
});

describe('the environment a request is applied with', () => {
  const entry: LocalEntry = { node: '/usr/bin/node', main: '/flux/bin/main.js', hook: '/flux/bin/hook.js' };

  it("this machine's environment, none of another session's variables, the request's settings, its session", () => {
    const env = applyEnvironment(
      {
        PATH: '/usr/bin',
        FLUX_HOST: 'box1',
        FLUX_SESSION: 'other.s1',
        FLUX_TMUX_SOCKET: 'sock',
        FLUX_TRANSCRIPT_TOKENS: '5',
      },
      hookRequest({
        hook: 'PostToolUse',
        env: {
          FLUX_STOP_REMINDERS: '7',
          PATH: '/host/evil',
          FLUX_MAIN: '/host/evil.js',
          FLUX_WORK_DIR: '/host/work',
        },
      } as Partial<RelayRequest>),
      '/repo/.work',
      entry,
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      FLUX_TMUX_SOCKET: 'sock',
      FLUX_STOP_REMINDERS: '7',
      FLUX_WORK_DIR: '/repo/.work',
      FLUX_SESSION: 'api.s1',
      FLUX_STAGE: 'api',
      FLUX_COMMAND: JSON.stringify(['/usr/bin/node', '/flux/bin/main.js']),
    });
  });

  it("a Stop carries the host's token count, '' when the host had none", () => {
    const base = { PATH: '/usr/bin' };
    expect(applyEnvironment(base, hookRequest({ tokens: 1234 }), '/w', entry).FLUX_TRANSCRIPT_TOKENS).toBe(
      '1234',
    );
    expect(applyEnvironment(base, hookRequest({ tokens: null }), '/w', entry).FLUX_TRANSCRIPT_TOKENS).toBe(
      '',
    );
  });
});

describe('replies kept against a request sent twice', () => {
  it('put, then get; a request never applied has none', () => {
    const kept = new KeptReplies(tempDir(), 'box1');
    const id = randomUUID();
    expect(kept.get(id)).toBeNull();
    kept.put(id, { stdout: 'x\n', stderr: '', exitCode: 0 });
    expect(kept.get(id)).toEqual({ stdout: 'x\n', stderr: '', exitCode: 0 });
    expect(kept.dir).toMatch(/hosts\/box1\/replies$/);
  });

  it('an id that is not a request id never names a file', () => {
    const kept = new KeptReplies(tempDir(), 'box1');
    expect(() => kept.put('../escape', { stdout: '', stderr: '', exitCode: 0 })).toThrow('not a request id');
  });

  it('kept a day, then pruned', () => {
    const kept = new KeptReplies(tempDir(), 'box1');
    const [old, fresh] = [randomUUID(), randomUUID()];
    kept.put(old, { stdout: '', stderr: '', exitCode: 0 });
    kept.put(fresh, { stdout: '', stderr: '', exitCode: 0 });
    const past = (Date.now() - KEPT_REPLY_MAX_AGE_MS - 60_000) / 1000;
    fs.utimesSync(path.join(kept.dir, `${old}.json`), past, past);
    expect(kept.prune()).toBe(1);
    expect(kept.get(old)).toBeNull();
    expect(kept.get(fresh)).not.toBeNull();
  });
});

describe('which hosts get a relay', () => {
  it('each host with a stage not merged yet, once', () => {
    expect(hostsWithWork(STATE)).toEqual(['box1']);
    const merged = structuredClone(STATE);
    merged.stages.api!.status = 'merged';
    expect(hostsWithWork(merged)).toEqual([]);
  });
});
