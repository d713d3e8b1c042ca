/**
 * The pure decisions behind verify, merge, resume and worktree clean
 * (src/engine/verify.ts), as given-events / when / then-events.
 */
import { describe, expect, it } from 'vitest';
import {
  cleanVerdict,
  decideResume,
  decideVerdict,
  outsideFiles,
  requireMergeable,
  requireVerifiable,
} from '../../../src/engine/verify.js';
import { RefusedError } from '../../../src/errors.js';
import type { NewEvent } from '../../../src/log/events.js';
import { fold, given, plan, stageDef } from '../../engine/spec.js';

const twoStages = plan([stageDef('a', [], { files: ['src/a/**'] }), stageDef('b', ['a'])]);
const initialized: NewEvent[] = [
  { type: 'plan.initialized', plan: twoStages, base_branch: 'main' },
  { type: 'stage.ready', stage: 'a' },
];
const startedA: NewEvent[] = [
  { type: 'stage.started', stage: 'a', session: 'a.s1' },
  { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'sim', tmux: 'flux-a' },
];
const completedA: NewEvent[] = [
  ...startedA,
  { type: 'session.working', session: 'a.s1' },
  { type: 'stage.completed', stage: 'a', forced: false },
  { type: 'session.ended', session: 'a.s1', reason: 'stage completed' },
];
const resume = { agent: 'sim', sessionPrefix: 'flux-', tmuxAlive: false };
/** The agent session id a start chooses (random). */
const anyId = expect.any(String) as string;

function refusal(action: () => unknown): RefusedError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedError);
    return error as RefusedError;
  }
  throw new Error('expected a refusal');
}

describe('verify decisions', () => {
  it('only a completed stage is verifiable; the refusal says what to do', () => {
    const state = fold(initialized);
    const error = refusal(() => requireVerifiable(state, state.stages.b!));
    expect(error.message).toBe("stage 'b' is pending, not completed: only a completed stage can be verified");
    expect(error.hint).toBe('it waits for a to be merged; then `flux run` starts it');
    const running = fold([...initialized, ...startedA]);
    expect(refusal(() => requireVerifiable(running, running.stages.a!)).hint).toContain('`flux attach a`');
  });

  it('approve: verified by a human, and the merge is requested', () => {
    given([...initialized, ...completedA])
      .when((s) => decideVerdict(s, 'a', { kind: 'approve' }, 'human'))
      .then([{ type: 'stage.verified', stage: 'a', by: 'human' }], ['mergeStage']);
  });

  it('reject: rejected with the reason, by a human', () => {
    given([...initialized, ...completedA])
      .when((s) => decideVerdict(s, 'a', { kind: 'reject', reason: 'tests are thin' }, 'human'))
      .then([{ type: 'stage.rejected', stage: 'a', reason: 'tests are thin', by: 'human' }]);
  });

  it('files outside the globs; none flagged when the stage declares no globs', () => {
    expect(outsideFiles(['src/a/x.ts', 'src/b.ts', 'README.md'], ['src/a/**'])).toEqual([
      'src/b.ts',
      'README.md',
    ]);
    expect(outsideFiles(['anything'], [])).toEqual([]);
  });
});

describe('merge decisions', () => {
  it('verified: merge; merged: nothing to do; completed: review first', () => {
    const verified = fold([
      ...initialized,
      ...completedA,
      { type: 'stage.verified', stage: 'a', by: 'human' },
    ]);
    expect(requireMergeable(verified, verified.stages.a!)).toBe(true);
    const merged = fold([
      ...initialized,
      ...completedA,
      { type: 'stage.verified', stage: 'a', by: 'human' },
      { type: 'stage.merged', stage: 'a', commit: 'abc' },
    ]);
    expect(requireMergeable(merged, merged.stages.a!)).toBe(false);
    const completed = fold([...initialized, ...completedA]);
    expect(refusal(() => requireMergeable(completed, completed.stages.a!)).hint).toBe(
      'review it first: `flux verify a` (approving merges it)',
    );
  });
});

describe('resume decisions', () => {
  it('a running stage whose session ended: a fresh session, launched', () => {
    given([...initialized, ...startedA, { type: 'session.ended', session: 'a.s1', reason: 'killed' }])
      .when((s) => decideResume(s, 'a', resume))
      .then(
        [
          { type: 'stage.started', stage: 'a', session: 'a.s2' },
          {
            type: 'session.started',
            session: 'a.s2',
            stage: 'a',
            agent: 'sim',
            tmux: 'flux-a',
            agent_session_id: anyId,
          },
        ],
        ['endSession', 'launchSession'],
      );
  });

  it('a session the log thinks alive but whose tmux session is gone is recorded as crashed first', () => {
    given([...initialized, ...startedA])
      .when((s) => decideResume(s, 'a', resume))
      .then(
        [
          { type: 'session.crashed', session: 'a.s1', reason: 'its tmux session flux-a is gone' },
          { type: 'stage.started', stage: 'a', session: 'a.s2' },
          {
            type: 'session.started',
            session: 'a.s2',
            stage: 'a',
            agent: 'sim',
            tmux: 'flux-a',
            agent_session_id: anyId,
          },
        ],
        ['endSession', 'launchSession'],
      );
  });

  it('a live session is refused: attach instead', () => {
    given([...initialized, ...startedA])
      .when((s) => decideResume(s, 'a', { ...resume, tmuxAlive: true }))
      .thenRefused(/session a\.s1 of stage 'a' is alive \(starting, tmux session flux-a\)/);
  });

  it('a live session started by hand is refused: end it first', () => {
    given([
      ...initialized,
      { type: 'stage.started', stage: 'a', session: 'a.s1' },
      { type: 'session.started', session: 'a.s1', stage: 'a', agent: 'claude', tmux: '' },
    ])
      .when((s) => decideResume(s, 'a', resume))
      .thenRefused(/was started by hand/);
  });

  it('a rejected stage resumes; a handoff is carried by the new session', () => {
    given([...initialized, ...completedA, { type: 'stage.rejected', stage: 'a', reason: 'no' }])
      .when((s) => decideResume(s, 'a', resume))
      .then([
        { type: 'stage.started', stage: 'a', session: 'a.s2' },
        {
          type: 'session.started',
          session: 'a.s2',
          stage: 'a',
          agent: 'sim',
          tmux: 'flux-a',
          agent_session_id: anyId,
          feedback: 'no',
        },
      ]);
    given([
      ...initialized,
      ...startedA,
      { type: 'stage.handoff_requested', stage: 'a', session: 'a.s1', handoff: 'handoffs/a-handoff-001.md' },
      { type: 'session.ended', session: 'a.s1', reason: 'handed off' },
    ])
      .when((s) => decideResume(s, 'a', resume))
      .then([
        { type: 'stage.started', stage: 'a', session: 'a.s2' },
        {
          type: 'session.started',
          session: 'a.s2',
          stage: 'a',
          agent: 'sim',
          tmux: 'flux-a',
          agent_session_id: anyId,
          handoff: 'handoffs/a-handoff-001.md',
        },
      ]);
  });

  it('pending, ready, completed, verified and merged stages have nothing to resume', () => {
    given(initialized)
      .when((s) => decideResume(s, 'a', resume))
      .thenRefused("stage 'a' is ready: there is nothing to resume");
    given(initialized)
      .when((s) => decideResume(s, 'b', resume))
      .thenRefused("stage 'b' is pending: there is nothing to resume");
    given([...initialized, ...completedA])
      .when((s) => decideResume(s, 'a', resume))
      .thenRefused("stage 'a' is completed: there is nothing to resume");
  });
});

describe('worktree clean decisions', () => {
  const state = fold([...initialized, ...startedA]);

  it('never a stage that is not merged, e.g. a running one', () => {
    expect(cleanVerdict(state, { name: 'a', registered: true, branch: 'flux/a' })).toEqual({
      remove: false,
      why: 'stage a is running',
    });
  });

  it('a stage not in the plan may go (git still refuses unmerged or uncommitted work)', () => {
    expect(cleanVerdict(state, { name: 'gone', registered: true, branch: 'flux/gone' })).toEqual({
      remove: true,
      why: 'no stage of the plan has this name',
    });
  });

  it('never a directory git does not know, nor a detached worktree', () => {
    expect(cleanVerdict(state, { name: 'x', registered: false, branch: null }).remove).toBe(false);
    expect(cleanVerdict(state, { name: 'x', registered: true, branch: null }).remove).toBe(false);
  });
});
