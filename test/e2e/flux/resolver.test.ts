// Scenario: two parallel stages write the same file, so the second to land
// conflicts. With `[merge] resolve = "agent"` (the default) Flux starts a
// resolver session of that stage: real claude, told the conflicting file and
// what the other stage did, merges main into its branch keeping both sides,
// commits and runs `flux done`; the merge queue checks the merged tree and
// lands it. Both sides end on main.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bash } from '../model-server.js';
import {
  announceSkip,
  claudeSkipReason,
  commitFiles,
  conversation,
  declareDone,
  firstPrompt,
  fluxE2E,
  planDocument,
  reactive,
  stageMarker,
  type E2E,
} from './harness.js';

const PLAN = planDocument(
  'Two stages, one file',
  ['a', 'b']
    .map((id) =>
      [
        `    - id: ${id}`,
        `      name: "Stage ${id}"`,
        `      description: "Add ${id}'s line to shared.md"`,
        '      dependencies: []',
        '      gate: auto',
        '      acceptance:',
        `        - "grep -q 'line from ${id}' shared.md"`,
        '      files:',
        '        - "shared.md"',
      ].join('\n'),
    )
    .join('\n'),
).replace('  stages:\n', '  acceptance:\n    - "test -f shared.md"\n  stages:\n');

/** Write and commit, then `flux done`, then stop. */
const builder = (id: string) =>
  reactive((req, ctx) => {
    if (ctx.n === 1) return { tools: commitFiles({ 'shared.md': `line from ${id}` }, `${id}: its line`) };
    return declareDone(req, ctx);
  });

/** Told of the conflict: merge main, keep both lines, commit the merge, `flux done`. */
const RESOLVER_MARKER = 'resolve the conflict with main';
const resolver = reactive((req, ctx) => {
  if (ctx.n === 1)
    return {
      text: 'Merging main and keeping both lines.',
      tools: [
        bash(
          "git merge main; printf '%s\\n' 'line from a' 'line from b' > shared.md && git add shared.md && git commit -q --no-edit",
          'merge main, keeping both sides',
        ),
      ],
    };
  return declareDone(req, ctx);
});

const reason = claudeSkipReason();
announceSkip('flux run with real claude (resolver)', reason);

describe.skipIf(reason !== undefined)('flux run with real claude: a conflict resolved by its agent', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await fluxE2E({
      plan: PLAN,
      scenario: {
        routes: [
          // First: a resolver's prompt names its stage too.
          { match: RESOLVER_MARKER, script: resolver },
          { match: stageMarker('a'), script: builder('a') },
          { match: stageMarker('b'), script: builder('b') },
        ],
      },
    });
  });
  afterAll(async () => {
    await e2e?.cleanup();
  });

  test('the second stage conflicts, a resolver session merges main keeping both, and it lands', async () => {
    try {
      const run = e2e.startRun();
      expect(await run.finished(180_000), run.output()).toBe(0);
      const events = e2e.events();
      const failed = events.filter((e) => e.type === 'stage.merge_failed');
      expect(failed).toEqual([
        expect.objectContaining({ cause: 'conflict', conflicts: ['shared.md'], next: 'agent' }),
      ]);
      const loser = failed[0]!.stage!;
      const winner = loser === 'a' ? 'b' : 'a';
      const resolving = events.filter((e) => e.type === 'session.started' && e.resolving === 'conflict');
      expect(resolving.map((e) => e.session)).toEqual([`${loser}.s2`]);

      // The resolver was told the file, the other side and what to do.
      const prompt = firstPrompt(e2e.server, RESOLVER_MARKER)!;
      expect(prompt).toContain(`# Flux stage ${loser}: Stage ${loser} — resolve the conflict with main`);
      expect(prompt).toContain('- `shared.md`');
      expect(prompt).toContain(`### ${winner}: Stage ${winner}`);
      expect(prompt).toContain(`- ${winner}: its line`);
      expect(prompt).toContain('`git merge main`');
      // Its `flux done` passed. (Read from the log: Flux merges and ends the
      // session at once, often before claude sends the tool's output back.)
      const resolverStart = events.findIndex(
        (e) => e.type === 'session.started' && e.session === `${loser}.s2`,
      );
      const doneAfter = events
        .slice(resolverStart)
        .filter((e) => e.type === 'stage.completed' && e.stage === loser);
      expect(doneAfter).toEqual([expect.objectContaining({ forced: false })]);
      expect(
        (doneAfter[0]!.results as { command: string; exit_code: number }[]).map((r) => [
          r.command,
          r.exit_code,
        ]),
      ).toEqual([[`grep -q 'line from ${loser}' shared.md`, 0]]);
      // It merged main itself, in its worktree (git's words, as its tool output).
      expect(conversation(e2e.server, RESOLVER_MARKER).join('\n')).toContain('Merge conflict in shared.md');

      expect((await e2e.status()).stages.map((s) => [s.id, s.status])).toEqual([
        ['a', 'merged'],
        ['b', 'merged'],
      ]);
      const shared = await e2e.git(['show', 'main:shared.md']);
      expect(shared).toBe('line from a\nline from b');
      // Both merges were checked on the merged tree before main moved.
      expect(events.filter((e) => e.type === 'merge.checking').map((e) => e.stage)).toEqual([winner, loser]);
      expect(events.filter((e) => e.type === 'session.crashed')).toEqual([]);
    } catch (error) {
      console.log(await e2e.diagnose());
      throw error;
    }
  });
});
