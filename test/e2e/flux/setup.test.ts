// Worktree setup with real claude: the plan's `setup` makes a file the
// acceptance checks, a `.worktreeinclude`d ignored `.env` is copied into the
// stage's worktree, and the session (which can read both) commits its work
// and runs `flux done`; the acceptance passes and the stage ends merged.
// Neither the setup's file nor `.env` reaches the base branch.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  announceSkip,
  claudeSkipReason,
  commitFiles,
  declareDone,
  fluxE2E,
  reactive,
  stageMarker,
  type E2E,
} from './harness.js';

const PLAN = [
  '# PLAN: Set up worktrees',
  '',
  '<!-- FLUX METADATA -->',
  '',
  '```yaml',
  'flux:',
  '  version: 1',
  '  setup:',
  '    - "mkdir -p .deps && echo installed > .deps/marker"',
  '  stages:',
  '    - id: configured',
  '      name: "Configured feature"',
  '      gate: auto',
  '      setup: ["grep -q TOKEN=e2e .env"]',
  '      acceptance:',
  '        - "grep -qx installed .deps/marker"',
  '        - "grep -qx TOKEN=e2e .env"',
  '        - "test -f src/feature.ts"',
  '      files: ["src/*.ts"]',
  '```',
  '',
  '<!-- END FLUX METADATA -->',
  '',
].join('\n');

const reason = claudeSkipReason();
announceSkip('flux run with real claude (worktree setup)', reason);

describe.skipIf(reason !== undefined)('flux run with real claude: worktree setup', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      scenario: {
        routes: [
          {
            match: stageMarker('configured'),
            script: reactive((req, ctx) => {
              if (ctx.n === 1)
                return {
                  text: 'The worktree is set up; writing the feature.',
                  tools: commitFiles({ 'src/feature.ts': 'export const feature = true;' }, 'Add the feature'),
                };
              return declareDone(req, ctx);
            }),
          },
        ],
      },
    });
    writeFileSync(path.join(e2e.root, '.gitignore'), '.env\n.deps/\n');
    writeFileSync(path.join(e2e.root, '.worktreeinclude'), '.env\n');
    await e2e.git(['add', '.gitignore', '.worktreeinclude']);
    await e2e.git(['commit', '-q', '-m', 'Ignore local files; worktrees get .env']);
    writeFileSync(path.join(e2e.root, '.env'), 'TOKEN=e2e\n');
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  test('setup and the included file are in place before claude starts; the stage merges', async () => {
    try {
      const run = e2e.startRun();
      expect(await run.finished(150_000), run.output()).toBe(0);
      expect((await e2e.stage('configured')).status).toBe('merged');

      const events = e2e.events();
      const finished = events.find((e) => e.type === 'setup.finished' && e.stage === 'configured')!;
      expect(finished).toMatchObject({ passed: true, copied: ['.env'] });
      const at = (type: string) => events.findIndex((e) => e.type === type && e.stage === 'configured');
      expect(at('setup.finished')).toBeLessThan(at('stage.completed'));
      expect(events.some((e) => e.type === 'stage.acceptance_failed')).toBe(false);
      expect(e2e.read('.work/logs/setup-configured.s1.log')).toContain('$ grep -q TOKEN=e2e .env');

      const tracked = (await e2e.git(['ls-tree', '-r', '--name-only', 'main'])).split('\n');
      expect(tracked).toContain('src/feature.ts');
      expect(tracked).not.toContain('.env');
      expect(tracked.some((file) => file.startsWith('.deps/'))).toBe(false);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await e2e.diagnose()}`);
    }
  });
});
