// Critical-path scheduling on random plans: 30 DAGs of 40 stages, durations
// drawn from a fixed seed, max_parallel 4. Each plan is run through Flux's own
// scheduler (`decideStarts`, dist/) in a discrete-event simulation; the
// makespan is compared with the lower bound max(critical path, total work / 4).
// Policies: critical path with `estimate` = the stage's duration, critical path
// without estimates (every stage weighs 1), and plan order (the scheduler
// before critical paths: ready stages in document order).
import { settle, withEvents } from '../dist/engine/decide.js';
import { decideStarts } from '../dist/engine/scheduler.js';
import { liveSessions, initialState } from '../dist/engine/state.js';
import { evolve } from '../dist/engine/evolve.js';

const SEED = 20_261_121;
const DAGS = 30;
const STAGES = 40;
const MAX_PARALLEL = 4;

/** mulberry32: a small seeded PRNG, so every run draws the same plans. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A random plan in document (topological) order: each stage depends on 0-3
 * earlier stages, mostly recent ones (plans read as layers), and takes 1-60
 * minutes, skewed short (most stages are small, a few are long).
 */
function randomPlan(random) {
  const stages = [];
  for (let i = 0; i < STAGES; i++) {
    const deps = new Set();
    const count = i === 0 ? 0 : Math.floor(random() * 4);
    for (let k = 0; k < count; k++) {
      const window = Math.min(i, 1 + Math.floor(random() * 12));
      deps.add(i - 1 - Math.floor(random() * window));
    }
    const duration = 1 + Math.floor(59 * random() ** 2);
    stages.push({ id: `s${i}`, deps: [...deps].map((d) => `s${d}`), duration });
  }
  return stages;
}

function stageDef(stage, withEstimate) {
  return {
    id: stage.id,
    name: stage.id,
    description: '',
    dependencies: stage.deps,
    acceptance: [],
    files: [],
    gate: 'auto',
    ...(withEstimate ? { estimate: stage.duration } : {}),
  };
}

function initialized(stages, withEstimate) {
  const plan = {
    path: 'plan.md',
    title: 'bench',
    version: 1,
    stages: stages.map((s) => stageDef(s, withEstimate)),
    hash: 'x',
  };
  const state = evolve(initialState(), {
    v: 1,
    seq: 1,
    at: '2026-01-01T00:00:00.000Z',
    type: 'plan.initialized',
    plan,
    base_branch: 'main',
  });
  return withEvents(state, settle(state, []).events);
}

const OPTIONS = { maxParallel: MAX_PARALLEL, agent: 'sim', sessionPrefix: 'flux-' };

/** The ready stages plan order would start: the first free ones in document order. */
function planOrderStarts(state) {
  const free = MAX_PARALLEL - liveSessions(state).length;
  const ready = state.order.filter((id) => state.stages[id].status === 'ready').slice(0, Math.max(0, free));
  return settle(
    state,
    ready.flatMap((id) => [
      { type: 'stage.started', stage: id, session: `${id}.s1` },
      { type: 'session.started', session: `${id}.s1`, stage: id, agent: 'sim', tmux: `flux-${id}` },
    ]),
  );
}

function finish(state, id) {
  const session = state.stages[id].session;
  const verified = withEvents(
    state,
    settle(state, [{ type: 'stage.completed', stage: id, forced: false }]).events,
  );
  return withEvents(
    verified,
    settle(verified, [
      { type: 'stage.merged', stage: id, commit: null },
      { type: 'session.ended', session, reason: 'merged' },
    ]).events,
  );
}

/** Simulated minutes until every stage is merged, starting what `starts` chooses whenever a slot frees. */
function makespan(stages, starts, withEstimate) {
  const duration = new Map(stages.map((s) => [s.id, s.duration]));
  let state = initialized(stages, withEstimate);
  const ends = new Map(); // running stage → when it finishes
  let now = 0;
  for (;;) {
    const decision = starts(state);
    state = withEvents(state, decision.events);
    for (const event of decision.events)
      if (event.type === 'stage.started') ends.set(event.stage, now + duration.get(event.stage));
    if (liveSessions(state).length > MAX_PARALLEL) throw new Error('more sessions than max_parallel');
    if (ends.size === 0) break;
    now = Math.min(...ends.values());
    for (const [id, end] of [...ends]) {
      if (end !== now) continue;
      ends.delete(id);
      state = finish(state, id);
    }
  }
  const left = state.order.filter((id) => state.stages[id].status !== 'merged');
  if (left.length > 0) throw new Error(`never started: ${left.join(', ')}`);
  return now;
}

function lowerBound(stages) {
  const byId = new Map(stages.map((s) => [s.id, s]));
  const finish = new Map();
  for (const s of stages) finish.set(s.id, s.duration + Math.max(0, ...s.deps.map((d) => finish.get(d))));
  const critical = Math.max(...finish.values());
  const total = [...byId.values()].reduce((sum, s) => sum + s.duration, 0);
  return { critical, total, bound: Math.max(critical, total / MAX_PARALLEL) };
}

const random = prng(SEED);
const rows = [];
for (let dag = 0; dag < DAGS; dag++) {
  const stages = randomPlan(random);
  const { critical, total, bound } = lowerBound(stages);
  rows.push({
    dag: dag + 1,
    critical,
    work: total,
    bound,
    weighted: makespan(stages, (s) => decideStarts(s, OPTIONS), true) / bound,
    unweighted: makespan(stages, (s) => decideStarts(s, OPTIONS), false) / bound,
    planOrder: makespan(stages, planOrderStarts, false) / bound,
  });
}

const mean = (key) => rows.reduce((sum, row) => sum + row[key], 0) / rows.length;
const max = (key) => Math.max(...rows.map((row) => row[key]));
const fixed = (n) => n.toFixed(3);
const pad = (text, width) => String(text).padStart(width);
// The table goes to stderr (people read it); the summary line to stdout, like every benchmark.
const out = (line) => process.stderr.write(`${line}\n`);
out(`schedule: ${DAGS} random plans of ${STAGES} stages, max_parallel ${MAX_PARALLEL}, seed ${SEED}`);
out('makespan / max(critical path, work / 4)');
out(
  `${pad('dag', 4)} ${pad('critical', 9)} ${pad('work/4', 7)} ${pad('cp+est', 7)} ${pad('cp', 7)} ${pad('plan', 7)}`,
);
for (const row of rows)
  out(
    `${pad(row.dag, 4)} ${pad(row.critical, 9)} ${pad((row.work / MAX_PARALLEL).toFixed(1), 7)} ${pad(fixed(row.weighted), 7)} ${pad(fixed(row.unweighted), 7)} ${pad(fixed(row.planOrder), 7)}`,
  );
out(
  `mean ${pad('', 17)} ${pad(fixed(mean('weighted')), 7)} ${pad(fixed(mean('unweighted')), 7)} ${pad(fixed(mean('planOrder')), 7)}`,
);
out(
  `max  ${pad('', 17)} ${pad(fixed(max('weighted')), 7)} ${pad(fixed(max('unweighted')), 7)} ${pad(fixed(max('planOrder')), 7)}`,
);
const better = rows.filter((row) => row.weighted < row.planOrder - 1e-9).length;
const worse = rows.filter((row) => row.weighted > row.planOrder + 1e-9).length;
console.log(
  JSON.stringify({
    bench: 'schedule',
    dags: DAGS,
    stages: STAGES,
    max_parallel: MAX_PARALLEL,
    critical_path_with_estimates: { mean: +fixed(mean('weighted')), max: +fixed(max('weighted')) },
    critical_path_without_estimates: { mean: +fixed(mean('unweighted')), max: +fixed(max('unweighted')) },
    plan_order: { mean: +fixed(mean('planOrder')), max: +fixed(max('planOrder')) },
    dags_better_than_plan_order: better,
    dags_worse_than_plan_order: worse,
    goal: 'mean <= 1.15 with estimates, and below plan order',
  }),
);
