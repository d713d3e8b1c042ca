// Scenario 1: the README's three-stage plan run to merged by real claude
// sessions. Each session writes its files, commits and runs `flux done`; the
// acceptance commands pass; stage-1 waits for a person (`flux verify
// --approve`), stage-2 and stage-3 (gate: auto) then start side by side and merge.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  declareDone,
  announceSkip,
  claudeSkipReason,
  commitFiles,
  conversation,
  firstPrompt,
  fluxE2E,
  planDocument,
  reactive,
  stageMarker,
  type E2E,
} from './harness.js';

const PLAN = planDocument(
  'Implement User Authentication',
  `    - id: stage-1-models
      name: "Data Models"
      description: "Create User, Session, Token models"
      dependencies: []
      acceptance:
        - "test -f src/models/user.rs"
        - "grep -q 'struct User' src/models/user.rs"
      files:
        - "src/models/*.rs"
    - id: stage-2-api
      name: "API Endpoints"
      description: "Implement auth endpoints"
      dependencies: [stage-1-models]
      gate: auto
      acceptance:
        - "test -f src/api/auth.rs"
        - "test -f src/models/user.rs"
      files:
        - "src/api/*.rs"
    - id: stage-3-frontend
      name: "Frontend Components"
      description: "Build login/signup UI"
      dependencies: [stage-1-models]
      gate: auto
      acceptance:
        - "test -f src/components/Login.tsx"
      files:
        - "src/components/*.tsx"`,
);

/** Write and commit, then `flux done`, then stop. */
const builder = (files: Record<string, string>, message: string) =>
  reactive((req, ctx) => {
    if (ctx.n === 1)
      return { text: `Writing ${Object.keys(files).join(', ')}.`, tools: commitFiles(files, message) };
    return declareDone(req, ctx);
  });

const reason = claudeSkipReason();
announceSkip('flux run with real claude (merge)', reason);

describe.skipIf(reason !== undefined)('flux run with real claude: plan to merged', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      scenario: {
        routes: [
          {
            match: stageMarker('stage-1-models'),
            script: builder(
              { 'src/models/user.rs': 'pub struct User { pub id: u64 }' },
              'Add the User model',
            ),
          },
          {
            match: stageMarker('stage-2-api'),
            script: builder({ 'src/api/auth.rs': 'pub fn login() {}' }, 'Add the auth endpoints'),
          },
          {
            match: stageMarker('stage-3-frontend'),
            script: builder(
              { 'src/components/Login.tsx': 'export const Login = () => null;' },
              'Add the login form',
            ),
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  test('sessions commit and declare done; a person approves stage-1; stage-2 and -3 run side by side; all merged', async () => {
    try {
      // stage-1 (gate: human): its session commits and declares done, then `flux run` settles.
      const first = e2e.startRun();
      expect(await first.finished(90_000), first.output()).toBe(0);
      expect((await e2e.stage('stage-1-models')).status).toBe('completed');
      const prompt1 = firstPrompt(e2e.server, stageMarker('stage-1-models'))!;
      expect(prompt1).toMatch(/^# Flux stage stage-1-models: Data Models\n/);
      // `flux done` ran the acceptance commands from inside claude's Bash tool.
      const stage1 = conversation(e2e.server, stageMarker('stage-1-models'));
      expect(stage1.some((t) => t.includes('stage-1-models is done: every acceptance command passes.'))).toBe(
        true,
      );
      const completed = e2e
        .events()
        .find((e) => e.type === 'stage.completed' && e.stage === 'stage-1-models')!;
      expect(
        (completed.results as { command: string; exit_code: number }[]).map((r) => [r.command, r.exit_code]),
      ).toEqual([
        ['test -f src/models/user.rs', 0],
        ["grep -q 'struct User' src/models/user.rs", 0],
      ]);

      // A person approves; verify merges it.
      const verify = await e2e.flux(['verify', 'stage-1-models', '--approve']);
      expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
      expect((await e2e.stage('stage-1-models')).status).toBe('merged');

      // The dependents start together and merge on their own (gate: auto).
      const second = e2e.startRun();
      expect(await second.finished(120_000), second.output()).toBe(0);
      const status = await e2e.status();
      expect(status.stages.map((s) => [s.id, s.status])).toEqual([
        ['stage-1-models', 'merged'],
        ['stage-2-api', 'merged'],
        ['stage-3-frontend', 'merged'],
      ]);

      const merges = (await e2e.git(['log', '--merges', '--format=%s', 'main'])).split('\n');
      expect(merges.sort()).toEqual([
        'Merge stage stage-1-models: Data Models',
        'Merge stage stage-2-api: API Endpoints',
        'Merge stage stage-3-frontend: Frontend Components',
      ]);
      const files = (await e2e.git(['ls-tree', '-r', '--name-only', 'main'])).split('\n');
      expect(files).toEqual(
        expect.arrayContaining(['src/models/user.rs', 'src/api/auth.rs', 'src/components/Login.tsx']),
      );
      const subjects = (await e2e.git(['log', '--no-merges', '--format=%s', 'main'])).split('\n');
      expect(subjects).toEqual(
        expect.arrayContaining(['Add the User model', 'Add the auth endpoints', 'Add the login form']),
      );
      // The dependents were told what stage-1 did.
      expect(firstPrompt(e2e.server, stageMarker('stage-2-api'))).toContain('- Add the User model');

      // stage-2 and stage-3 ran at the same time: each session started before the other ended,
      // and their model requests interleave.
      const events = e2e.events();
      const span = (session: string) => {
        const at = (type: string) =>
          Date.parse(events.find((e) => e.type === type && e.session === session)!.at);
        return { start: at('session.started'), end: at('session.ended') };
      };
      const api = span('stage-2-api.s1');
      const ui = span('stage-3-frontend.s1');
      expect(api.start).toBeLessThan(ui.end);
      expect(ui.start).toBeLessThan(api.end);
      const times = (marker: string) =>
        e2e.server.requests.filter((r) => r.kind === 'main' && r.route === marker).map((r) => r.at);
      const apiTimes = times(stageMarker('stage-2-api'));
      const uiTimes = times(stageMarker('stage-3-frontend'));
      expect(Math.min(...apiTimes)).toBeLessThan(Math.max(...uiTimes));
      expect(Math.min(...uiTimes)).toBeLessThan(Math.max(...apiTimes));

      // Every session ended cleanly: none crashed, no tmux session left.
      expect(events.filter((e) => e.type === 'session.crashed')).toEqual([]);
      expect(await e2e.tmuxSessions()).toEqual([]);
    } catch (error) {
      console.log(await e2e.diagnose());
      throw error;
    }
  });
});
