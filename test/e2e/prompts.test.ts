// What claude sends to the model at the start of a session: where the
// --append-system-prompt text, the positional prompt, project skills and
// CLAUDE.md land. Two sessions share one model server, routed by a marker in
// their appended system prompts (as Flux's stages would be).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startClaude } from './claude-session.js';
import { say, systemText, textOf, type MessagesRequest } from './model-server.js';
import { DEFAULT_ARGS, openRig, skipReason, stopSession } from './rig.js';
import { Tmux } from './tmux.js';

const tmux = new Tmux();
afterAll(() => tmux.killServer());

const SKILL = `---
name: flux-handoff
description: Write a Flux handoff file when the context is nearly full (SKILL-DESC-MARK).
---

# Handoff

Steps SKILL-BODY-MARK.
`;

const blocks = (req: MessagesRequest) => {
  const content = req.messages[0]!.content;
  return typeof content === 'string' ? [content] : content.map((b) => b.text ?? '');
};

describe.skipIf(skipReason() !== undefined)('what claude sends: system prompt, first prompt, skills', () => {
  test('routes two sessions by their appended system prompt; prompt, skills and CLAUDE.md land in the first user message', async () => {
    const rig = await openRig({
      tmux,
      name: 'prompt-alpha',
      prompt: 'First prompt of alpha',
      args: [...DEFAULT_ARGS, '--append-system-prompt', 'You work on stage STAGE-ALPHA-MARK.'],
      scenario: {
        routes: [
          { match: 'STAGE-ALPHA-MARK', script: [say('alpha answer')] },
          { match: 'STAGE-BETA-MARK', script: [say('beta answer')] },
        ],
        fallback: [say('unrouted')],
      },
      before: ({ repo }) => {
        const dir = join(repo.dir, '.claude', 'skills', 'flux-handoff');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'SKILL.md'), SKILL);
        writeFileSync(join(repo.dir, 'CLAUDE.md'), 'Project memory CLAUDE-MD-MARK.\n');
      },
    });
    try {
      const beta = startClaude({
        tmux,
        env: rig.env,
        name: 'prompt-beta',
        cwd: rig.repo.dir,
        prompt: 'First prompt of beta',
        args: [...DEFAULT_ARGS, '--append-system-prompt', 'You work on stage STAGE-BETA-MARK.'],
      });
      const alphaStop = await rig.session.waitForHook('Stop');
      const betaStop = await beta.waitForHook('Stop');
      expect(alphaStop.input.last_assistant_message).toBe('alpha answer');
      expect(betaStop.input.last_assistant_message).toBe('beta answer');

      const [alpha] = rig.server.mainRequests('STAGE-ALPHA-MARK');
      const system = systemText(alpha!);
      expect(system).toContain('You work on stage STAGE-ALPHA-MARK.');
      expect(system).not.toContain('SKILL-DESC-MARK');

      // First user message: system-reminder blocks, then the positional prompt as the last block.
      const first = blocks(alpha!);
      expect(first.at(-1)).toBe('First prompt of alpha');
      const skills = first.find((t) => t.includes('The following skills are available'));
      expect(skills).toContain('flux-handoff');
      expect(skills).toContain('SKILL-DESC-MARK');
      expect(first.some((t) => t.includes('CLAUDE-MD-MARK'))).toBe(true);
      // Only the skill's name and description are sent, not its body.
      expect(JSON.stringify(alpha)).not.toContain('SKILL-BODY-MARK');
      expect(alpha!.tools!.map((t) => t.name)).toEqual(
        expect.arrayContaining(['Bash', 'Edit', 'Write', 'Skill']),
      );
      expect(textOf(alpha!.messages[0]!.content)).not.toContain('STAGE-BETA-MARK');
      await stopSession(tmux, 'prompt-beta');
    } finally {
      await rig.close();
    }
  });
});
