// The Flux skill and the real claude binary: `flux skill install` writes
// .claude/skills/flux/SKILL.md (in the project, or in the user's
// CLAUDE_CONFIG_DIR), and Claude Code offers it to the model (its name and
// description in the skills reminder of the first user message) and loads
// its body when the model uses it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { SKILL_DESCRIPTION, SKILL_MD } from '../../src/agents/skill.js';
import { say, type MessagesRequest, type Turn } from './model-server.js';
import { DEFAULT_ARGS, openRig, skipReason } from './rig.js';
import { Tmux } from './tmux.js';

const FLUX = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'dist', 'bin', 'main.js');
const BODY_MARK = '# Flux: parallel tasks in worktrees and tmux';

const tmux = new Tmux();
afterAll(() => tmux.killServer());

function flux(args: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [FLUX, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const firstBlocks = (req: MessagesRequest): string[] => {
  const content = req.messages[0]!.content;
  return typeof content === 'string' ? [content] : content.map((b) => b.text ?? '');
};

/** The skills reminder claude puts in the first user message. */
const skillsReminder = (req: MessagesRequest): string | undefined =>
  firstBlocks(req).find((t) => t.includes('The following skills are available'));

/** A turn that uses the skill `flux`, filling the Skill tool's input from its schema in the request. */
function useSkill(req: MessagesRequest): Turn {
  const tool = (req.tools ?? []).find((t) => t.name === 'Skill') as
    | { name: string; input_schema?: { required?: string[]; properties?: Record<string, unknown> } }
    | undefined;
  const key = tool?.input_schema?.required?.[0] ?? 'skill';
  return { tools: [{ name: 'Skill', input: { [key]: 'flux' } }] };
}

describe.skipIf(skipReason() !== undefined || !existsSync(FLUX))('the Flux skill in Claude Code', () => {
  test('a project install is offered to the model by name and description, and its body loads when used', async () => {
    const rig = await openRig({
      tmux,
      name: 'skill-project',
      prompt: 'Run the OAuth work in parallel',
      args: [...DEFAULT_ARGS, 'Skill'],
      scenario: [useSkill, say('The skill is loaded.')],
      before: ({ repo }) => {
        const out = flux(['skill', 'install'], repo.dir);
        expect(out).toContain('Installed the Flux skill for this repository');
      },
    });
    try {
      const file = join(rig.repo.dir, '.claude', 'skills', 'flux', 'SKILL.md');
      expect(readFileSync(file, 'utf8')).toBe(SKILL_MD);
      const stop = await rig.session.waitForHook('Stop', 'Stop after using the skill', 60_000);
      expect(stop.input.last_assistant_message).toBe('The skill is loaded.');

      const [first, second] = rig.server.mainRequests();
      const skills = skillsReminder(first!);
      expect(skills).toContain('flux');
      expect(skills).toContain(SKILL_DESCRIPTION.slice(0, 80));
      // Until it is used, only the name and description are sent.
      expect(JSON.stringify(first)).not.toContain(BODY_MARK);
      // Used: its body reaches the model.
      expect(JSON.stringify(second)).toContain(BODY_MARK);
      expect(JSON.stringify(second)).toContain('flux task cleanup <id>');
    } finally {
      await rig.close();
    }
  });

  test('a user install (CLAUDE_CONFIG_DIR) is offered in any project', async () => {
    const rig = await openRig({
      tmux,
      name: 'skill-user',
      prompt: 'What can you run in parallel?',
      scenario: [say('Tasks, with Flux.')],
      before: ({ env, repo }) => {
        const out = flux(['skill', 'install', '--user'], repo.dir, { CLAUDE_CONFIG_DIR: env.configDir });
        expect(out).toContain(join(env.configDir, 'skills', 'flux', 'SKILL.md'));
      },
    });
    try {
      await rig.session.waitForHook('Stop', 'Stop', 60_000);
      const [first] = rig.server.mainRequests();
      const skills = skillsReminder(first!);
      expect(skills).toContain('flux');
      expect(skills).toContain(SKILL_DESCRIPTION.slice(0, 80));
      expect(existsSync(join(rig.repo.dir, '.claude'))).toBe(false);
    } finally {
      await rig.close();
    }
  });
});
