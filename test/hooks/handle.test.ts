/**
 * `handleHook` in this process, on a real log in a temporary workspace, with
 * the transcript read replaced by a probe: the transcript (the agent's own
 * file, possibly slow or huge) is read before the log's lock is taken, and
 * not at all for a call Flux ignores.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { handleHook, type HookReads } from '../../src/hooks/run.js';
import { appendEvents } from '../../src/log/append.js';
import type { NewEvent } from '../../src/log/events.js';
import { plan, stageDef } from '../engine/spec.js';

const AGENT = '6c1f0b2e-8f35-4c4e-9d1a-222222222222';
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function workspace(): { workDir: string; env: NodeJS.ProcessEnv } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-handle-'));
  made.push(root);
  const workDir = path.join(root, '.work');
  fs.mkdirSync(workDir);
  const events: NewEvent[] = [
    { type: 'plan.initialized', plan: plan([stageDef('api')]), base_branch: 'main' },
    { type: 'stage.ready', stage: 'api' },
    { type: 'stage.started', stage: 'api', session: 'api.s1' },
    {
      type: 'session.started',
      session: 'api.s1',
      stage: 'api',
      agent: 'claude',
      tmux: '',
      agent_session_id: AGENT,
    },
    { type: 'session.working', session: 'api.s1' },
  ];
  appendEvents(path.join(workDir, 'events.jsonl'), events);
  return { workDir, env: { FLUX_SESSION: 'api.s1', FLUX_WORK_DIR: workDir, FLUX_HANDOFF_THRESHOLD: '75' } };
}

describe('the Stop hook reads the transcript', () => {
  it('before it takes the lock, and judges the threshold by its figure', () => {
    const { workDir, env } = workspace();
    const lockHeldWhileReading: boolean[] = [];
    const reads: HookReads = {
      transcriptTokens(file) {
        expect(file).toBe('/agent/transcript.jsonl');
        lockHeldWhileReading.push(fs.existsSync(path.join(workDir, 'events.lock')));
        return 170_000;
      },
    };
    const stdin = JSON.stringify({
      session_id: AGENT,
      transcript_path: '/agent/transcript.jsonl',
      stop_hook_active: false,
    });
    const decision = handleHook('Stop', stdin, env, reads);
    expect(lockHeldWhileReading).toEqual([false]);
    expect(decision.events).toEqual([
      { type: 'session.context', session: 'api.s1', percent: 85 },
      { type: 'session.handing_off', session: 'api.s1', trigger: 'threshold' },
    ]);
    expect(JSON.parse(decision.answer!)).toMatchObject({ decision: 'block' });
  });

  it('not at all for a call from another agent session', () => {
    const { env } = workspace();
    let read = 0;
    const stdin = JSON.stringify({ session_id: 'other', transcript_path: '/x', stop_hook_active: false });
    expect(handleHook('Stop', stdin, env, { transcriptTokens: () => (read++, 170_000) })).toEqual({
      events: [],
      answer: null,
    });
    expect(read).toBe(0);
  });
});

describe('a Stop relayed from a host (FLUX_TRANSCRIPT_TOKENS)', () => {
  const stdin = JSON.stringify({
    session_id: AGENT,
    transcript_path: '/host/only/transcript.jsonl',
    stop_hook_active: false,
  });

  it('takes the tokens counted on the host and never reads the host path here', () => {
    const { env } = workspace();
    let read = 0;
    const decision = handleHook(
      'Stop',
      stdin,
      { ...env, FLUX_TRANSCRIPT_TOKENS: '170000' },
      { transcriptTokens: () => (read++, 0) },
    );
    expect(read).toBe(0);
    expect(decision.events).toEqual([
      { type: 'session.context', session: 'api.s1', percent: 85 },
      { type: 'session.handing_off', session: 'api.s1', trigger: 'threshold' },
    ]);
  });

  it("'' (the host read no transcript) is no figure, and still nothing is read here", () => {
    const { env } = workspace();
    let read = 0;
    const decision = handleHook(
      'Stop',
      stdin,
      { ...env, FLUX_TRANSCRIPT_TOKENS: '' },
      { transcriptTokens: () => (read++, 170_000) },
    );
    expect(read).toBe(0);
    expect(decision.events.map((e) => e.type)).not.toContain('session.context');
    expect(decision.events.map((e) => e.type)).not.toContain('session.handing_off');
  });
});
