// `flux ui` redrawing after an event, with 50 stages, against folding the same log in the same process.
//
// The dashboard runs as `flux ui` runs it: the Engine over a real .work/, the
// watch on events.jsonl, the controller and Ink rendering to a terminal-sized
// stream. Another Engine (as another process would) appends a permission
// question with a new detail each round; the time is from the append to the
// frame that shows it (timed from when the append returns, the event on
// disk): the watch's wake-up, folding the new line, the model,
// React and Ink's layout and write. The baseline is folding the whole log
// from the start (what a command does without the snapshot cache).
// React as `flux ui` runs it: the bundle is built for production (scripts/bundle-options.mjs).
process.env.NODE_ENV = 'production';
await import('../dist/log/codec.js');
const { mkdirSync, mkdtempSync, rmSync } = await import('node:fs');
const { EventEmitter } = await import('node:events');
const { tmpdir } = await import('node:os');
const path = (await import('node:path')).default;
const { createElement } = await import('react');
const { render } = await import('ink');
const { App } = await import('../dist/cli/ui/components/App.js');
const { Dashboard } = await import('../dist/cli/ui/controller.js');
const { readSupervisor } = await import('../dist/engine/supervisor.js');
const { watchLog } = await import('../dist/cli/ui/watch.js');
const { Engine } = await import('../dist/engine/engine.js');
const { replay } = await import('../dist/engine/evolve.js');
const { readLog } = await import('../dist/log/read.js');
const { makePlan } = await import('./generate.mjs');

const STAGES = 50;
const ROUNDS = Number(process.env.FLUX_BENCH_RUNS ?? 60);
const ACTIVITY = Number(process.env.FLUX_BENCH_EVENTS ?? 20_000);

const root = mkdtempSync(path.join(tmpdir(), 'flux-bench-ui-'));
const workDir = path.join(root, '.work');
mkdirSync(workDir);
const ws = { root, workDir, configPath: path.join(workDir, 'config.toml') };
const writer = new Engine(ws);
const append = (events) => writer.commit(() => ({ events, effects: [] }));

// 50 stages in layers of 10; the first layer running, each session with a history of activity.
const plan = makePlan(STAGES);
const running = plan.stages.filter((s) => s.dependencies.length === 0).map((s) => s.id);
append([
  { type: 'plan.initialized', plan, base_branch: 'main' },
  ...running.map((stage) => ({ type: 'stage.ready', stage })),
]);
append(
  running.flatMap((stage) => [
    { type: 'stage.started', stage, session: `${stage}.s1` },
    { type: 'session.started', session: `${stage}.s1`, stage, agent: 'claude', tmux: `flux-${stage}` },
  ]),
);
const activity = [];
for (let i = 0; i < ACTIVITY; i++) {
  const session = `${running[i % running.length]}.s1`;
  activity.push(
    i % 3 === 0
      ? { type: 'session.working', session }
      : i % 3 === 1
        ? { type: 'session.context', session, percent: (i % 70) + 1 }
        : { type: 'session.idle', session },
  );
  if (activity.length === 5000) append(activity.splice(0));
}
if (activity.length > 0) append(activity.splice(0));
const asker = `${running[0]}.s1`;
append([{ type: 'session.working', session: asker }]);

// A terminal of 160×45 that keeps what was written since the last look.
class Screen extends EventEmitter {
  columns = 160;
  rows = 45;
  written = '';
  write = (chunk) => {
    this.written += chunk;
    this.emit('written');
    return true;
  };
}
const stdout = new Screen();
// Keys are read in raw mode: the dashboard asks for it, as on a terminal.
const stdin = Object.assign(new EventEmitter(), {
  isTTY: true,
  setEncoding() {},
  setRawMode() {},
  ref() {},
  unref() {},
  read: () => null,
});

const engine = new Engine(ws);
const unused = async () => {
  throw new Error('not in this benchmark');
};
const actions = {
  load: () => engine.load(),
  supervisor: () => readSupervisor(ws),
  conflicts: async () => ({}),
  approvePermission: unused,
  denyPermission: unused,
  review: unused,
  approve: unused,
  reject: unused,
  merge: unused,
  resume: unused,
  attach: unused,
  pane: unused,
};
const dashboard = new Dashboard(
  actions,
  { runInTerminal: unused, quit() {} },
  {
    size: { columns: stdout.columns, rows: stdout.rows },
    color: true, // as on most terminals: the frames carry their colour codes
  },
);
const ink = render(createElement(App, { dashboard }), {
  stdout,
  stdin,
  stderr: stdout,
  exitOnCtrlC: false,
  patchConsole: false,
  maxFps: 60,
});
const watcher = watchLog(workDir, () => dashboard.refresh());

function frameShowing(token, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no frame showed ${token} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const check = () => {
      if (!stdout.written.includes(token)) return;
      clearTimeout(timer);
      stdout.off('written', check);
      resolve(performance.now());
    };
    stdout.on('written', check);
  });
}
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const samples = [];
await pause(200);
for (let round = 0; round < ROUNDS + 5; round++) {
  const token = `bench-question-${round}`;
  stdout.written = '';
  const shown = frameShowing(token);
  // From the moment the event is on disk (the append's own fsync is the writer's cost, not the dashboard's).
  append([{ type: 'session.waiting_permission', session: asker, tool: 'Bash', detail: `curl ${token}` }]);
  const start = performance.now();
  const end = await shown;
  if (round >= 5) samples.push(end - start); // the first rounds warm up the JIT
  append([{ type: 'session.working', session: asker }]);
  await pause(40); // events come apart in life; a redraw within Ink's frame interval would wait for the next frame
}
watcher.close();
ink.unmount();

const events = engine.load().seq;
const logPath = path.join(workDir, 'events.jsonl');
const folds = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  replay(readLog(logPath).events);
  folds.push(performance.now() - t);
}
rmSync(root, { recursive: true, force: true });

const sorted = [...samples].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const fold = [...folds].sort((a, b) => a - b)[Math.floor(folds.length / 2)];
console.log(
  JSON.stringify({
    bench: 'ui',
    stages: STAGES,
    events,
    rounds: samples.length,
    redraw_p50_ms: +at(0.5).toFixed(1),
    redraw_p95_ms: +at(0.95).toFixed(1),
    fold_ms: +fold.toFixed(1),
    ratio: +(at(0.95) / fold).toFixed(2),
    goal: 'redraw p95 <= 50 ms',
  }),
);
