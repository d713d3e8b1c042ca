/**
 * `flux verify --approve` in one terminal while `flux run` watches in
 * another: both see the approval, both want to merge. Only one may (the
 * effects lock), the other must find the merge done and report it, and
 * nothing is lost: the person's checkout is clean, every stage's file is on
 * the base, each stage is merged exactly once.
 *
 * FLUX_STRESS_ROUNDS sets how many rounds (the suite runs 2; the stress
 * figures in docs/merge.md are from 20).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  fluxStatus,
  fluxWorkspace,
  ofType,
  planDocument,
  type FluxWorkspace,
  type RunningFlux,
} from '../helpers/flux-run.js';
import { waitFor } from '../helpers/wait.js';

const ROUNDS = Number(process.env.FLUX_STRESS_ROUNDS ?? 2);
const STAGES = Array.from({ length: 8 }, (_, i) => `s${i + 1}`);

const PLAN = planDocument(
  'Approvals while the monitor watches',
  [
    ...STAGES.map(
      (id) => `    - id: ${id}
      name: "Stage ${id}"
      description: "Writes out/${id}.txt"
      dependencies: []
      gate: human
      acceptance:
        - "test -f out/${id}.txt"
      files:
        - "out/${id}.txt"`,
    ),
    `    - id: long
      name: "Long"
      description: "Keeps the monitor watching"
      dependencies: []
      gate: human
      acceptance: []
      files:
        - "long.txt"`,
  ].join('\n'),
);

function writes(id: string): object {
  return {
    turns: [
      {
        say: `Writing ${id}.`,
        context: 10,
        actions: [
          { write: { path: `out/${id}.txt`, content: `${id}\n` } },
          { commit: `${id}: its file` },
          { flux: ['done'] },
        ],
      },
    ],
  };
}

const LONG = { turns: [{ say: 'Thinking for a long time.', context: 5, actions: [{ sleep: 300_000 }] }] };

let ws: FluxWorkspace | undefined;
let run: RunningFlux | undefined;

afterEach(async () => {
  run?.kill('SIGKILL');
  await run?.finished(10_000).catch(() => undefined);
  await ws?.cleanup();
  ws = undefined;
  run = undefined;
});

describe('flux verify --approve against a watching flux run', () => {
  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: eight approvals, each stage merged once, nothing lost`, async () => {
      ws = await fluxWorkspace({
        plan: PLAN,
        settings: { max_parallel: 9 },
        sims: { ...Object.fromEntries(STAGES.map((id) => [id, writes(id)])), long: LONG },
      });
      const workspace = ws;
      run = ws.startRun();
      await waitFor(
        async () => {
          const status = await fluxStatus(workspace.flux);
          const done = status.stages.filter((s) => s.status === 'completed').length;
          return done === STAGES.length ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 200, what: 'the eight stages to complete' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${describeWorkspace(workspace, run)}`);
      });

      for (const id of STAGES) {
        const result = await ws.flux(['verify', id, '--approve']);
        expect(
          result.exitCode,
          `${id}: ${result.stdout}\n${result.stderr}\n${describeWorkspace(ws, run)}`,
        ).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`(Merged|Already merged:) ${id} into main`));
      }
      // The monitor may still be finishing a cleanup: wait for the log to say each is merged.
      await waitFor(
        () =>
          STAGES.every((id) => ofType(workspace.events(), 'stage.merged', id).length > 0) ? true : undefined,
        { timeoutMs: 30_000, what: 'every stage merged' },
      );

      const events = ws.events();
      for (const id of STAGES) expect(ofType(events, 'stage.merged', id), id).toHaveLength(1);
      expect(await ws.git(['status', '--porcelain'])).toBe('');
      for (const id of STAGES) expect(await ws.git(['show', `main:out/${id}.txt`])).toBe(id);
      const subjects = (await ws.git(['log', '--first-parent', '--format=%s', 'main'])).split('\n');
      for (const id of STAGES)
        expect(
          subjects.filter((s) => s === `Merge stage ${id}: Stage ${id}`),
          id,
        ).toHaveLength(1);
      // Every recorded merge commit is on main's first-parent line.
      const line = new Set((await ws.git(['rev-list', '--first-parent', 'main'])).split('\n'));
      for (const merged of ofType(events, 'stage.merged')) expect(line.has(String(merged.commit))).toBe(true);
    }, 180_000);
  }
});
