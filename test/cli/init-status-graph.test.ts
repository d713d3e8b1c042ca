/**
 * The first thing a user does: `flux init` on the README's example plan, then
 * look at it with `flux status` and `flux graph show`. One initialised
 * repository is shared by the read-only checks.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempRepos, tempRepoWithPlan, type FluxResult, type PlanRepo } from '../helpers/cli.js';

afterAll(cleanupTempRepos);

let repo: PlanRepo;
let init: FluxResult;

beforeAll(async () => {
  repo = await tempRepoWithPlan();
  init = await repo.flux(['init', repo.planPath]);
});

/** The STATE column of the row for `id` in a table printed by status or graph show. */
function stateIn(table: string, id: string): string | undefined {
  const row = table.split('\n').find((line) => line.split(/\s+/).includes(id));
  return row?.split(/\s+/).find((cell) => /^(pending|ready|running|completed|blocked|merged)$/.test(cell));
}

describe('flux init on the README example plan', () => {
  it('exits 0 and says what is ready', () => {
    expect(init.stderr).toBe('');
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toContain(
      'Initialized Implement User Authentication (doc/plans/PLAN-auth.md): 3 stages.',
    );
    expect(init.stdout).toContain('Base branch: main');
    expect(init.stdout).toContain('Ready now: stage-1-models');
  });

  it('creates the .work/ layout of the README', () => {
    const work = path.join(repo.root, '.work');
    for (const file of ['config.toml', 'execution-graph.toml', 'events.jsonl'])
      expect(statSync(path.join(work, file)).isFile(), file).toBe(true);
    for (const dir of ['stages', 'sessions', 'signals', 'handoffs', 'worktrees'])
      expect(statSync(path.join(work, dir)).isDirectory(), dir).toBe(true);
    for (const id of ['stage-1-models', 'stage-2-api', 'stage-3-frontend'])
      expect(existsSync(path.join(work, 'stages', `${id}.md`)), id).toBe(true);
    // No staging directory is left behind.
    expect(existsSync(path.join(repo.root, `.work.init-${process.pid}`))).toBe(false);
  });

  it('records exactly plan.initialized and stage.ready', async () => {
    const events = await repo.events();
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'plan.initialized'],
      [2, 'stage.ready'],
    ]);
    expect(events[1]).toMatchObject({ stage: 'stage-1-models' });
    expect(events[0]).toMatchObject({ base_branch: 'main', plan: { path: 'doc/plans/PLAN-auth.md' } });
  });

  it('writes config.toml with the plan path and base branch', async () => {
    const config = await repo.read('.work/config.toml');
    expect(config).toContain('path = "doc/plans/PLAN-auth.md"');
    expect(config).toContain('base_branch = "main"');
  });

  it('writes execution-graph.toml from the state', async () => {
    const graph = await repo.read('.work/execution-graph.toml');
    expect(graph).toMatch(/^# Written by Flux/);
    expect(graph).toContain('id = "stage-2-api"');
    expect(graph).toContain('dependencies = ["stage-1-models"]');
  });

  it('keeps .work and .worktrees out of git, leaving the tree clean', async () => {
    const exclude = await repo.read('.git/info/exclude');
    expect(exclude).toMatch(/^\/?\.work\/?$/m);
    expect(exclude).toMatch(/^\/?\.worktrees\/?$/m);
    expect(await repo.git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
  });
});

describe('flux status', () => {
  it('shows stage-1-models ready and the other two pending', async () => {
    const result = await repo.flux(['status']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Implement User Authentication  doc/plans/PLAN-auth.md');
    expect(result.stdout).toContain('0 of 3 merged · 1 ready · 2 pending');
    expect(result.stdout).toMatch(/^STAGE\s+STATE\s+DEPENDS ON\s+SESSION\s+CONTEXT\s+COST$/m);
    expect(stateIn(result.stdout, 'stage-1-models')).toBe('ready');
    expect(stateIn(result.stdout, 'stage-2-api')).toBe('pending');
    expect(stateIn(result.stdout, 'stage-3-frontend')).toBe('pending');
    // NO_COLOR: no escape codes.
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('--json parses and says the same', async () => {
    const result = await repo.flux(['status', '--json']);
    expect(result.exitCode).toBe(0);
    const view = JSON.parse(result.stdout) as {
      plan: { path: string; title: string };
      baseBranch: string;
      progress: { merged: number; total: number };
      counts: Record<string, number>;
      stages: Array<{ id: string; status: string; dependencies: string[]; waitingFor: string[] }>;
      attention: unknown[];
      seq: number;
    };
    expect(view.plan).toEqual({ path: 'doc/plans/PLAN-auth.md', title: 'Implement User Authentication' });
    expect(view.baseBranch).toBe('main');
    expect(view.progress).toEqual({ merged: 0, total: 3 });
    expect(view.counts).toEqual({ ready: 1, pending: 2 });
    expect(view.stages.map((s) => [s.id, s.status])).toEqual([
      ['stage-1-models', 'ready'],
      ['stage-2-api', 'pending'],
      ['stage-3-frontend', 'pending'],
    ]);
    expect(view.stages[1]).toMatchObject({
      dependencies: ['stage-1-models'],
      waitingFor: ['stage-1-models'],
    });
    expect(view.attention).toEqual([]);
    expect(view.seq).toBe(2);
  });

  it('finds the workspace from a subdirectory of the repository', async () => {
    await mkdir(path.join(repo.root, 'src', 'deep', 'er'), { recursive: true });
    const [text, json] = await Promise.all([
      repo.flux(['status'], { cwd: 'src/deep/er' }),
      repo.flux(['status', '--json'], { cwd: 'doc/plans' }),
    ]);
    expect(text.exitCode).toBe(0);
    expect(stateIn(text.stdout, 'stage-1-models')).toBe('ready');
    expect(json.exitCode).toBe(0);
    expect((JSON.parse(json.stdout) as { seq: number }).seq).toBe(2);
  });
});

describe('flux graph show', () => {
  it('shows the stages in layers, stage-2 and stage-3 depending on stage-1', async () => {
    const [show, bare] = await Promise.all([repo.flux(['graph', 'show']), repo.flux(['graph'])]);
    expect(show.exitCode).toBe(0);
    const rows = show.stdout.split('\n');
    expect(rows).toContain('LAYER  STAGE             STATE    DEPENDS ON');
    expect(rows).toContain('1      stage-1-models    ready');
    expect(rows).toContain('2      stage-2-api       pending  ← stage-1-models');
    expect(rows).toContain('2      stage-3-frontend  pending  ← stage-1-models');
    // `show` is the default subcommand.
    expect(bare).toEqual(show);
  });

  it('--format mermaid is a flowchart with a node per stage and an edge per dependency', async () => {
    const result = await repo.flux(['graph', 'show', '--format', 'mermaid']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toContain('  stage_1_models["stage-1-models<br/>ready"]');
    expect(lines).toContain('  stage_2_api["stage-2-api<br/>pending"]');
    expect(lines).toContain('  stage_1_models --> stage_2_api');
    expect(lines).toContain('  stage_1_models --> stage_3_frontend');
    expect(lines.filter((line) => line.includes('-->'))).toHaveLength(2);
  });

  it('--format dot is a digraph with labelled nodes and two edges', async () => {
    const result = await repo.flux(['graph', 'show', '--format', 'dot']);
    expect(result.exitCode).toBe(0);
    const dot = result.stdout.trimEnd();
    expect(dot).toMatch(/^digraph flux \{\n[\s\S]*\n\}$/);
    expect(dot).toContain('"stage-1-models" [label="stage-1-models\\nready"];');
    expect(dot).toContain('"stage-1-models" -> "stage-2-api";');
    expect(dot).toContain('"stage-1-models" -> "stage-3-frontend";');
    expect(dot.match(/->/g)).toHaveLength(2);
  });

  it('--format json lists each stage with layer, dependencies and dependents', async () => {
    const result = await repo.flux(['graph', 'show', '--format', 'json']);
    expect(result.exitCode).toBe(0);
    const graph = JSON.parse(result.stdout) as {
      plan: string;
      stages: Array<{
        id: string;
        status: string;
        layer: number;
        dependencies: string[];
        dependents: string[];
      }>;
    };
    expect(graph.plan).toBe('doc/plans/PLAN-auth.md');
    expect(graph.stages).toEqual([
      expect.objectContaining({
        id: 'stage-1-models',
        status: 'ready',
        layer: 0,
        dependencies: [],
        dependents: ['stage-2-api', 'stage-3-frontend'],
        parallel_group: 'foundation',
      }),
      expect.objectContaining({
        id: 'stage-2-api',
        status: 'pending',
        layer: 1,
        dependencies: ['stage-1-models'],
        dependents: [],
        parallel_group: null,
      }),
      expect.objectContaining({
        id: 'stage-3-frontend',
        status: 'pending',
        layer: 1,
        dependencies: ['stage-1-models'],
        parallel_group: 'implementation',
      }),
    ]);
  });

  it('--machine stage prints the stage lifecycle as a mermaid stateDiagram', async () => {
    const result = await repo.flux(['graph', 'show', '--machine', 'stage']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> pending');
    expect(lines).toContain('  pending --> ready: stage.ready');
    expect(lines).toContain('  verified --> merged: stage.merged');
    expect(lines).toContain('  merged --> [*]');
    const states = new Set(
      lines.flatMap((line) => [...line.matchAll(/(?:^\s+|--> )([a-z_]+)/g)].map((m) => m[1])),
    );
    for (const state of [
      'pending',
      'ready',
      'running',
      'needs_handoff',
      'completed',
      'verified',
      'merged',
      'failed',
      'blocked',
      'rejected',
    ])
      expect(states, state).toContain(state);
  });

  it('--machine session prints the session lifecycle', async () => {
    const result = await repo.flux(['graph', 'show', '--machine', 'session']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^stateDiagram-v2\n/);
    for (const state of ['starting', 'working', 'idle', 'waiting_permission', 'ended', 'crashed'])
      expect(result.stdout, state).toContain(state);
  });

  it('rejects an unknown format with exit 64, naming the choices', async () => {
    const result = await repo.flux(['graph', 'show', '--format', 'png']);
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain("argument 'png' is invalid");
    expect(result.stderr).toContain('text, mermaid, dot, json');
    expect(result.stdout).toBe('');
  });
});

describe('read-only commands leave the log alone', () => {
  it('status, graph show and replay append nothing', async () => {
    const before = await repo.read('.work/events.jsonl');
    await Promise.all([repo.flux(['status']), repo.flux(['graph', 'show']), repo.flux(['replay'])]);
    expect(await repo.read('.work/events.jsonl')).toBe(before);
  });
});
