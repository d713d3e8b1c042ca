// Writes a realistic, valid event log: `stages` stages in a chain of layers,
// each started, worked on by a session that reports activity and context many
// times, completed, verified and merged. Most lines are session activity, as
// in a real run.
import { closeSync, openSync, writeSync } from 'node:fs';

export function makePlan(stageCount) {
  const stages = [];
  for (let i = 0; i < stageCount; i++) {
    const id = `stage-${String(i).padStart(3, '0')}`;
    const dependencies = i < 10 ? [] : [`stage-${String(i - 10).padStart(3, '0')}`];
    stages.push({
      id,
      name: `Stage ${i}`,
      description: `Generated stage number ${i}`,
      dependencies,
      acceptance: ['npm test'],
      files: [`src/part-${i}/**`],
      gate: 'human',
    });
  }
  return { path: 'doc/plans/PLAN-bench.md', title: 'Benchmark plan', version: 1, stages, hash: 'bench' };
}

/** Writes about `total` events to `file`; returns the plan and the exact count. */
export function writeLog(file, { stages: stageCount, total }) {
  const plan = makePlan(stageCount);
  const fd = openSync(file, 'w');
  let seq = 0;
  const at = '2026-11-21T09:00:00.000Z';
  let buffer = [];
  const emit = (event) => {
    buffer.push(JSON.stringify({ v: 1, seq: ++seq, at, ...event }));
    if (buffer.length >= 10000) {
      writeSync(fd, buffer.join('\n') + '\n');
      buffer = [];
    }
  };
  emit({ type: 'plan.initialized', plan, base_branch: 'main' });
  const perStage = Math.max(12, Math.floor((total - 1) / stageCount));
  const merged = new Set();
  const ready = new Set();
  const readyNow = () => {
    for (const stage of plan.stages) {
      if (ready.has(stage.id) || merged.has(stage.id)) continue;
      if (stage.dependencies.every((d) => merged.has(d))) {
        ready.add(stage.id);
        emit({ type: 'stage.ready', stage: stage.id });
      }
    }
  };
  readyNow();
  for (const stage of plan.stages) {
    if (seq >= total) break;
    const session = `${stage.id}.s1`;
    emit({ type: 'stage.started', stage: stage.id, session });
    emit({ type: 'session.started', session, stage: stage.id, agent: 'claude', tmux: `flux-${stage.id}` });
    const last = stage === plan.stages.at(-1);
    const activity = last ? Infinity : perStage - 9;
    for (let i = 0; i < activity && seq < total - 4; i++) {
      switch (i % 3) {
        case 0:
          emit({ type: 'session.working', session });
          break;
        case 1:
          emit({ type: 'session.context', session, percent: Math.min(74, Math.floor((i / activity) * 74)) });
          break;
        default:
          emit({ type: 'session.idle', session });
      }
    }
    emit({ type: 'stage.completed', stage: stage.id, forced: false });
    emit({ type: 'session.ended', session, reason: 'done' });
    emit({ type: 'stage.verified', stage: stage.id, by: 'human' });
    emit({ type: 'stage.merged', stage: stage.id, commit: 'deadbeef' });
    merged.add(stage.id);
    readyNow();
  }
  if (buffer.length > 0) writeSync(fd, buffer.join('\n') + '\n');
  closeSync(fd);
  return { plan, count: seq };
}
