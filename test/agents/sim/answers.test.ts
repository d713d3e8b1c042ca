import { describe, expect, test } from 'vitest';
import { handoffTarget, renderHandoff, resumeTurn } from '../../../src/agents/sim/handoff.js';
import { readHookAnswer } from '../../../src/agents/sim/hooks.js';
import { handoffPath } from '../../../src/agents/protocol.js';

describe('reading hook answers like Claude Code', () => {
  test('a block decision is the next instruction', () => {
    expect(readHookAnswer(0, '{"decision":"block","reason":"run flux done"}', '')).toMatchObject({
      block: 'run flux done',
    });
  });

  test('exit code 2 blocks with the reason on stderr', () => {
    expect(readHookAnswer(2, 'ignored', 'tests fail\n')).toEqual({ block: 'tests fail', text: '' });
  });

  test('continue: false stops the agent', () => {
    expect(readHookAnswer(0, '{"continue":false,"stopReason":"stage reset"}', '')).toMatchObject({
      stop: 'stage reset',
    });
  });

  test('plain text, empty output and failures are no instruction', () => {
    expect(readHookAnswer(0, 'ctx 12%\n', '')).toEqual({ text: 'ctx 12%' });
    expect(readHookAnswer(0, '', '')).toEqual({ text: '' });
    expect(readHookAnswer(1, '{"decision":"block","reason":"x"}', 'boom')).toEqual({ text: '' });
    expect(readHookAnswer(undefined, '', '')).toEqual({ text: '' });
    expect(readHookAnswer(0, '{not json', '')).toEqual({ text: '{not json' });
  });
});

describe('handoffs', () => {
  test('the handoff path is taken from the reason, relative to .work/', () => {
    const reason = `Context is at 78%. Write .work/${handoffPath('stage-2', 1)} with a summary, then run \`flux handoff\`.`;
    expect(handoffTarget(reason)).toBe('handoffs/stage-2-handoff-001.md');
    expect(handoffTarget('/abs/repo/.work/handoffs/a.b_c-handoff-012.md please')).toBe(
      'handoffs/a.b_c-handoff-012.md',
    );
    expect(handoffTarget('Run `flux done` before you stop.')).toBeUndefined();
  });

  test('the resume marker is read from the last marker line of a prompt', () => {
    expect(resumeTurn('no marker')).toBe(0);
    expect(resumeTurn('## Continue\n\nsim-resume-turn: 2\n')).toBe(2);
    expect(resumeTurn('sim-resume-turn: 1\nlater\n  sim-resume-turn: 4  \n')).toBe(4);
    expect(resumeTurn('text sim-resume-turn: 3 inline')).toBe(0);
  });

  test('the document has the sections Flux asks for and the marker', () => {
    const text = renderHandoff({
      stage: 's1',
      session: 's1.s1',
      claudeSessionId: 'uuid',
      script: {
        turns: [
          { say: 'first', actions: [] },
          { say: 'second', actions: [{ write: { path: 'src/a.ts', content: 'x' } }, { flux: ['done'] }] },
        ],
      },
      first: 0,
      next: 1,
      percent: 78,
      work: { files: new Set(['notes/s1.md']), commits: ['s1: notes'], linesAdded: 3 },
      cwd: '/nonexistent',
    });
    for (const heading of ['## Summary', '## Done', '## Remaining', '## Decisions'])
      expect(text).toContain(heading);
    expect(text).toContain('- Turn 0: first');
    expect(text).toContain('- Committed: s1: notes');
    expect(text).toContain('  - write `src/a.ts:1`');
    expect(text).toContain('  - run `flux done`');
    expect(text).toContain('78% context');
    expect(resumeTurn(text)).toBe(1);
  });
});
