/**
 * The merge queue with real git, real tmux (a private server) and the
 * simulated agent: a merge is checked on the merged tree before the base
 * moves, a conflict is resolved by a resolver session of the stage, a
 * resolution that keeps failing ends waiting on a person, and a kill -9
 * while checking leaves the base untouched, then converges.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  fluxStatus,
  fluxWorkspace,
  ofType,
  planDocument,
  runToEnd,
  snapshotFlux,
  type FluxWorkspace,
  type LogEvent,
} from '../helpers/flux-run.js';
import { waitFor } from '../helpers/wait.js';

let bin: string;
beforeAll(() => {
  bin = snapshotFlux();
});

let ws: FluxWorkspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

/** Every commit on main's first-parent line, oldest first. */
async function firstParents(w: FluxWorkspace): Promise<string[]> {
  return (await w.git(['rev-list', '--first-parent', '--reverse', 'main'])).split('\n');
}

/** The files of a commit's tree. */
async function filesAt(w: FluxWorkspace, commit: string): Promise<string[]> {
  return (await w.git(['ls-tree', '-r', '--name-only', commit])).split('\n');
}

/** Two stages that each pass alone and break together: `a/` and `b/` must not both exist. */
function breakTogetherPlan(where: 'stage' | 'plan'): string {
  const check = '"test ! -d a || test ! -d b"';
  const stage = (id: string) =>
    [
      `    - id: ${id}`,
      `      name: "Stage ${id}"`,
      `      description: "Adds ${id}/"`,
      '      gate: auto',
      '      acceptance:',
      `        - "test -f ${id}/${id}.md"`,
      ...(where === 'stage' ? [`        - ${check}`] : []),
      '      files:',
      `        - "${id}/*.md"`,
    ].join('\n');
  const plan = planDocument('Break together', `${stage('a')}\n${stage('b')}`);
  return where === 'plan' ? plan.replace('  stages:\n', `  acceptance:\n    - ${check}\n  stages:\n`) : plan;
}

/** No commit on main's first-parent line has both a/ and b/. */
async function baseNeverBroken(w: FluxWorkspace): Promise<void> {
  for (const commit of await firstParents(w)) {
    const files = await filesAt(w, commit);
    const both = files.some((f) => f.startsWith('a/')) && files.some((f) => f.startsWith('b/'));
    expect(both, `${commit} on main's first-parent line has both a/ and b/`).toBe(false);
  }
}

function mergeFailures(events: LogEvent[], stage?: string): LogEvent[] {
  return ofType(events, 'stage.merge_failed', stage);
}

describe('the merge queue', () => {
  it('two stages that pass alone and break together: the second is not merged, main is never broken', async () => {
    ws = await fluxWorkspace({
      plan: breakTogetherPlan('stage'),
      bin,
      settings: { resolve_attempts: 0 },
    });
    const before = await ws.git(['rev-parse', 'main']);
    const result = await runToEnd(ws);
    expect(result.exitCode, describeWorkspace(ws)).toBe(0);
    await baseNeverBroken(ws);
    const events = ws.events();
    const merged = ofType(events, 'stage.merged').map((e) => e.stage);
    expect(merged).toHaveLength(1);
    const other = merged[0] === 'a' ? 'b' : 'a';
    const [failure] = mergeFailures(events, other);
    expect(failure).toMatchObject({
      cause: 'checks',
      next: 'person',
      reason: 'the merged tree fails the checks: test ! -d a || test ! -d b',
    });
    // The checks ran on the very commit that would have landed, built on main as it was then.
    expect(ofType(events, 'merge.checking', other)).toEqual([
      expect.objectContaining({ commit: failure!.commit, base_commit: failure!.base_commit }),
    ]);
    expect(await ws.git(['rev-parse', `${failure!.commit as string}^1`])).not.toBe(before);
    // Its branch and worktree are kept; status says why it waits.
    expect(await ws.git(['rev-parse', '--verify', `flux/${other}`])).toMatch(/^[0-9a-f]{40}$/);
    expect((await ws.worktrees()).map((w) => w.branch)).toContain(`flux/${other}`);
    const status = await fluxStatus(ws.flux);
    expect(status.stages.find((s) => s.id === other)).toMatchObject({
      status: 'verified',
      reason: expect.stringContaining('the merged tree fails the checks'),
    });
    expect(status.attention.map((a) => a.stage)).toContain(other);
    // flux merge says the same, exit 11, and main does not move.
    const main = await ws.git(['rev-parse', 'main']);
    const retry = await ws.flux(['merge', other]);
    expect(retry.exitCode, retry.stderr).toBe(11);
    expect(retry.stderr).toContain('the merged tree fails the checks');
    expect(await ws.git(['rev-parse', 'main'])).toBe(main);
  }, 150_000);

  it('a resolution that keeps failing the plan-level checks ends waiting on a person', async () => {
    ws = await fluxWorkspace({ plan: breakTogetherPlan('plan'), bin, settings: { resolve_attempts: 2 } });
    const result = await runToEnd(ws, 150_000);
    expect(result.exitCode, describeWorkspace(ws)).toBe(0);
    await baseNeverBroken(ws);
    const events = ws.events();
    const merged = ofType(events, 'stage.merged').map((e) => e.stage);
    expect(merged).toHaveLength(1);
    const other = merged[0] === 'a' ? 'b' : 'a';
    // Checked three times: back to its agent twice, then left to a person.
    expect(mergeFailures(events, other).map((e) => [e.cause, e.next])).toEqual([
      ['checks', 'agent'],
      ['checks', 'agent'],
      ['checks', 'person'],
    ]);
    const resolvers = ofType(events, 'session.started', other).filter((e) => e.resolving === 'checks');
    expect(resolvers.map((e) => e.session)).toEqual([`${other}.s2`, `${other}.s3`]);
    // Each resolver session merged main into the branch (the sim plays a resolver, not the stage again).
    expect(await ws.git(['log', '--format=%s', `flux/${other}`])).toContain("Merge branch 'main'");
    const status = await fluxStatus(ws.flux);
    expect(status.stages.find((s) => s.id === other)).toMatchObject({ status: 'verified' });
  }, 200_000);

  it('a textual conflict is resolved by a resolver session: both sides are on main', async () => {
    const plan = planDocument(
      'Conflict',
      ['a', 'b']
        .map((id) =>
          [
            `    - id: ${id}`,
            `      name: "Stage ${id}"`,
            `      description: "Writes ${id}'s line into shared.md"`,
            '      gate: auto',
            '      acceptance:',
            '        - "test -f shared.md"',
            '      files:',
            '        - "shared.md"',
          ].join('\n'),
        )
        .join('\n'),
    );
    // Each stage has its own script (its first session); the resolver session is the sim's own.
    const script = (id: string) => ({
      turns: [
        {
          actions: [
            { write: { path: 'shared.md', content: `# Shared\n\nline from ${id}\n` } },
            { commit: `${id}: its line` },
            { flux: ['done'] },
          ],
        },
      ],
    });
    ws = await fluxWorkspace({ plan, bin, sims: { a: script('a'), b: script('b') } });
    const result = await runToEnd(ws, 120_000);
    expect(result.exitCode, describeWorkspace(ws)).toBe(0);
    const events = ws.events();
    expect(
      ofType(events, 'stage.merged')
        .map((e) => e.stage)
        .sort(),
    ).toEqual(['a', 'b']);
    const [conflict] = mergeFailures(events);
    expect(conflict).toMatchObject({ cause: 'conflict', conflicts: ['shared.md'], next: 'agent' });
    const loser = conflict!.stage!;
    expect(ofType(events, 'session.started', loser).map((e) => e.resolving ?? null)).toEqual([
      null,
      'conflict',
    ]);
    const shared = await ws.git(['show', 'main:shared.md']);
    expect(shared).toContain('line from a');
    expect(shared).toContain('line from b');
    expect(shared).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    expect(await ws.git(['status', '--porcelain'])).toBe('');
    expect(await ws.git(['branch', '--list', 'flux/*'])).toBe('');
  }, 150_000);
});

describe('the merge queue and the human gate', () => {
  it('a gate: human stage whose merge conflicts is resolved by its agent, then asked again with the resolution shown', async () => {
    const plan = planDocument(
      'Conflict at the gate',
      ['a', 'b']
        .map((id) =>
          [
            `    - id: ${id}`,
            `      name: "Stage ${id}"`,
            '      gate: human',
            '      files:',
            '        - "shared.md"',
          ].join('\n'),
        )
        .join('\n'),
    );
    const script = (id: string) => ({
      turns: [
        {
          actions: [
            { write: { path: 'shared.md', content: `line from ${id}\n` } },
            { commit: `${id}: its line` },
            { flux: ['done'] },
          ],
        },
      ],
    });
    ws = await fluxWorkspace({ plan, bin, sims: { a: script('a'), b: script('b') } });
    expect((await runToEnd(ws)).exitCode, describeWorkspace(ws)).toBe(0);
    const first = await ws.flux(['verify', 'a', '--approve', '--no-start']);
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await ws.flux(['verify', 'b', '--approve', '--no-start']);
    expect(second.exitCode, second.stdout + second.stderr).toBe(8);
    expect(second.stderr).toContain('b goes back to its agent (attempt 1 of 2)');
    // The resolver session runs under the next `flux run`, and the stage comes back to the gate.
    expect((await runToEnd(ws)).exitCode, describeWorkspace(ws)).toBe(0);
    const status = await fluxStatus(ws.flux);
    expect(status.attention).toContainEqual({
      stage: 'b',
      what: 'conflict resolved: review the resolution and approve or reject',
      command: 'flux verify b',
    });
    const again = await ws.flux(['verify', 'b', '--approve', '--no-start']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(
      'Conflict resolved: it did not land on main (merge conflicts in shared.md)',
    );
    // The combined diff of the resolver's merge: both sides kept.
    expect(again.stdout).toMatch(/\+\s*line from b/);
    expect(again.stdout).toMatch(/\+\s*line from a/);
    const shared = await ws.git(['show', 'main:shared.md']);
    expect(
      shared
        .split('\n')
        .filter((l) => l.startsWith('line from'))
        .sort(),
    ).toEqual(['line from a', 'line from b']);
  }, 150_000);
});

describe('a conflict foreseen before the review', () => {
  it('a gate: human stage whose merge git merge-tree predicts to conflict is resolved before its person is asked', async () => {
    const plan = planDocument(
      'Foreseen conflict',
      ['a', 'b']
        .map((id) =>
          [
            `    - id: ${id}`,
            `      name: "Stage ${id}"`,
            '      gate: human',
            '      files:',
            '        - "shared.md"',
          ].join('\n'),
        )
        .join('\n'),
    );
    const script = (id: string) => ({
      turns: [
        {
          actions: [
            { write: { path: 'shared.md', content: `line from ${id}\n` } },
            { commit: `${id}: its line` },
            { flux: ['done'] },
          ],
        },
      ],
    });
    ws = await fluxWorkspace({ plan, bin, sims: { a: script('a'), b: script('b') } });
    expect((await runToEnd(ws)).exitCode, describeWorkspace(ws)).toBe(0);
    expect((await ws.flux(['verify', 'a', '--approve', '--no-start'])).exitCode).toBe(0);
    // b now conflicts with main: the next run foresees it and starts b's resolver, nobody asked.
    expect((await runToEnd(ws)).exitCode, describeWorkspace(ws)).toBe(0);
    const events = ws.events();
    expect(ofType(events, 'merge.conflict_predicted', 'b')).toEqual([
      expect.objectContaining({ conflicts: ['shared.md'] }),
    ]);
    expect(ofType(events, 'stage.merge_failed')).toEqual([]);
    expect(ofType(events, 'session.started', 'b').map((e) => e.resolving ?? null)).toEqual([
      null,
      'conflict',
    ]);
    const status = await fluxStatus(ws.flux);
    expect(status.attention).toContainEqual({
      stage: 'b',
      what: 'conflict resolved: review the resolution and approve or reject',
      command: 'flux verify b',
    });
    const approved = await ws.flux(['verify', 'b', '--approve', '--no-start']);
    expect(approved.exitCode, approved.stdout + approved.stderr).toBe(0);
    expect(approved.stdout).toContain('Merge into main: clean (predicted)');
    expect((await ws.git(['show', 'main:shared.md'])).split('\n').sort()).toEqual([
      'line from a',
      'line from b',
    ]);
  }, 150_000);
});

describe('the merge queue, killed while checking', () => {
  it('kill -9 of flux run during the checks leaves main untouched; the next run lands the checked merge', async () => {
    const plan = planDocument(
      'Slow checks',
      [
        '    - id: a',
        '      name: "Stage a"',
        '      gate: auto',
        '      acceptance:',
        '        - "test -f a/a.md"',
        '      files:',
        '        - "a/*.md"',
      ].join('\n'),
    ).replace('  stages:\n', '  acceptance:\n    - "sleep 4"\n  stages:\n');
    ws = await fluxWorkspace({ plan, bin });
    const before = await ws.git(['rev-parse', 'main']);
    const run = ws.startRun();
    await waitFor(() => ws!.events().some((e) => e.type === 'merge.checking') || undefined, {
      timeoutMs: 60_000,
      what: 'the merge checks to start',
    });
    run.kill('SIGKILL');
    await run.finished(10_000).catch(() => undefined);
    expect(await ws.git(['rev-parse', 'main'])).toBe(before);
    expect(await ws.git(['for-each-ref', 'refs/flux/merging/'])).toBe('');

    const result = await runToEnd(ws, 90_000);
    expect(result.exitCode, describeWorkspace(ws)).toBe(0);
    const events = ws.events();
    const [merged] = ofType(events, 'stage.merged', 'a');
    // Landed after a second, complete check of the same merge (built again on the same main).
    const checks = ofType(events, 'merge.checking', 'a');
    expect(checks).toHaveLength(2);
    expect(merged!.commit).toBe(checks[1]!.commit);
    expect(await ws.git(['rev-parse', 'main'])).toBe(merged!.commit);
    expect(await ws.git(['rev-parse', 'main^1'])).toBe(before);
    expect(await ws.git(['status', '--porcelain'])).toBe('');
    expect(await ws.git(['for-each-ref', 'refs/flux/'])).toBe('');
  }, 150_000);
});
