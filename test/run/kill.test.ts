/**
 * `flux run` killed with SIGKILL in the middle, twice, then run again: the
 * agents keep working in tmux meanwhile, and the next monitor reconciles the
 * log with the world and converges to every stage merged, with no doubled
 * session or worktree and no lost commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWorkspace,
  doubledSessions,
  finalStatuses,
  fluxWorkspace,
  ofType,
  type FluxWorkspace,
  type LogEvent,
  type RunningFlux,
} from '../helpers/flux-run.js';

const FILES: Record<string, string> = {
  'stage-1-models': 'src/models/stage-1-models.rs',
  'stage-2-api': 'src/api/stage-2-api.rs',
  'stage-3-frontend': 'src/components/stage-3-frontend.tsx',
};
const STAGES = Object.keys(FILES);

/** Records every commit it makes in .work/logs/commits.txt (outside the worktree). */
const recordHead = { run: 'git rev-parse HEAD >> "$FLUX_WORK_DIR/logs/commits.txt"' };

function script(stage: string): object {
  const dir = FILES[stage]!.replace(/\/[^/]+$/, '');
  return {
    turns: [
      {
        say: 'First part.',
        context: 10,
        actions: [
          { write: { path: `${dir}/${stage}-part1.txt`, content: 'one\n' } },
          { commit: `${stage}: part 1` },
          recordHead,
          { sleep: 400 },
        ],
      },
      {
        say: 'Second part; done.',
        context: 20,
        actions: [
          { write: { path: FILES[stage]!, content: '// done\n' } },
          { commit: `${stage}: part 2` },
          recordHead,
          { flux: ['done'] },
        ],
      },
    ],
  };
}

interface Sample {
  worktrees: Array<{ path: string; branch: string | null }>;
  tmux: string[];
}

describe('flux run: killed with SIGKILL and run again', () => {
  let ws: FluxWorkspace;
  let events: LogEvent[];
  const samples: Sample[] = [];
  const exits: number[] = [];
  let sampling = false;

  /** Samples the worktrees and tmux sessions while `run` lives. */
  async function watch(run: RunningFlux): Promise<void> {
    sampling = true;
    const ended = run.finished(90_000).then(
      (r) => exits.push(r.exitCode),
      () => exits.push(-1),
    );
    let done = false;
    void ended.then(() => (done = true));
    while (!done) {
      samples.push({ worktrees: await ws.worktrees(), tmux: await ws.tmuxSessions() });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    sampling = false;
  }

  beforeAll(async () => {
    ws = await fluxWorkspace({ sims: Object.fromEntries(STAGES.map((id) => [id, script(id)])) });
    try {
      // 1. Killed right after it started the first stage.
      const first = ws.startRun();
      const firstWatch = watch(first);
      await first.waitForOutput(/stage\.started\s+stage-1-models/);
      first.kill('SIGKILL');
      await firstWatch;
      // 2. Killed in the middle of starting the dependents: right after the first of them
      // is launched, while the second (already in the log) is being prepared.
      const second = ws.startRun();
      const secondWatch = watch(second);
      await second.waitForOutput(/stage-2-api: started stage-2-api\.s1 in tmux session/);
      second.kill('SIGKILL');
      await secondWatch;
      // 3. Left to finish.
      const third = ws.startRun();
      await watch(third);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${describeWorkspace(ws)}`);
    }
    events = ws.events();
  }, 180_000);

  afterAll(async () => {
    await ws?.cleanup();
  });

  it('the killed runs died by SIGKILL; the last one exits 0 with every stage merged', () => {
    expect(sampling).toBe(false);
    expect(exits, describeWorkspace(ws)).toEqual([137, 137, 0]);
    expect(finalStatuses(events).stages).toEqual(Object.fromEntries(STAGES.map((id) => [id, 'merged'])));
  });

  it('never two live sessions for a stage in the log, and every session over at the end', () => {
    expect(doubledSessions(events), describeWorkspace(ws)).toEqual([]);
    const sessions = finalStatuses(events).sessions;
    expect(Object.values(sessions).every((s) => s === 'ended' || s === 'crashed')).toBe(true);
    // Killing the monitor does not kill the agents: their sessions go on. A session the
    // killed monitor had recorded but not yet launched (stage-3 here, usually) is found
    // without its tmux session, recorded crashed, and started again once.
    for (const id of STAGES) {
      const started = ofType(events, 'session.started', id).map((e) => e.session!);
      expect(started.length, id).toBeLessThanOrEqual(2);
      expect(sessions[started.at(-1)!], id).toBe('ended');
      for (const lost of started.slice(0, -1)) {
        expect(ofType(events, 'session.crashed').find((e) => e.session === lost)?.reason).toMatch(
          /^its tmux session flux-stage-\S+ is gone$/,
        );
      }
    }
  });

  it('each stage merged once, after the agent declared it done', () => {
    for (const id of STAGES) {
      expect(ofType(events, 'stage.merged', id), id).toHaveLength(1);
      expect(ofType(events, 'stage.completed', id), id).toHaveLength(1);
    }
  });

  it('at every moment sampled: at most one worktree per stage, on its own branch; tmux names unique', () => {
    expect(samples.length).toBeGreaterThan(5);
    for (const sample of samples) {
      // Besides the stages', only Flux's own integration worktree, where merges are built.
      const extra = sample.worktrees.filter(
        (w) => w.path !== ws.root && w.path !== `${ws.root}/.work/integration`,
      );
      for (const w of extra) {
        const id = w.path.slice(`${ws.root}/.worktrees/`.length);
        expect(STAGES, w.path).toContain(id);
        // Detached only for the instant `git worktree add` takes to point HEAD at the branch.
        if (w.branch !== null) expect(w.branch).toBe(`flux/${id}`);
      }
      expect(new Set(extra.map((w) => w.path)).size).toBe(extra.length);
      expect(new Set(sample.tmux).size).toBe(sample.tmux.length);
      for (const name of sample.tmux) expect(STAGES.map((id) => `flux-${id}`)).toContain(name);
    }
  });

  it('no lost commit: every commit an agent made is reachable from main, each subject once', async () => {
    const made = ws
      .read('.work/logs/commits.txt')
      .split('\n')
      .filter((line) => line !== '');
    expect(made).toHaveLength(2 * STAGES.length);
    for (const commit of made) {
      const reachable = await ws.git(['merge-base', '--is-ancestor', commit, 'main']).then(
        () => true,
        () => false,
      );
      expect(reachable, commit).toBe(true);
    }
    const subjects = (await ws.git(['log', '--format=%s', 'main'])).split('\n');
    for (const id of STAGES) {
      for (const part of [1, 2]) expect(subjects.filter((s) => s === `${id}: part ${part}`)).toHaveLength(1);
      expect(subjects.filter((s) => s.startsWith(`Merge stage ${id}:`))).toHaveLength(1);
    }
  });

  it('leaves no worktree, no stage branch and no tmux session behind', async () => {
    expect(await ws.worktrees()).toEqual([{ path: ws.root, branch: 'main' }]);
    expect(await ws.git(['branch', '--list', 'flux/*'])).toBe('');
    expect(await ws.tmuxSessions()).toEqual([]);
  });
});
