/**
 * Property (b): replaying the log gives exactly the state the engine held
 * live while it appended, whatever sequence of decisions produced the log.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settle } from '../../src/engine/decide.js';
import { Engine } from '../../src/engine/engine.js';
import { replay } from '../../src/engine/evolve.js';
import type { FluxState } from '../../src/engine/state.js';
import { stageTable } from '../../src/machines/index.js';
import { workspaceAt } from '../../src/engine/workspace.js';
import { FluxError } from '../../src/errors.js';
import type { NewEvent } from '../../src/log/events.js';
import { readLog } from '../../src/log/read.js';
import { plan, stageDef } from './spec.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function freshEngine(): Engine {
  const root = mkdtempSync(path.join(tmpdir(), 'flux-replay-'));
  dirs.push(root);
  mkdirSync(path.join(root, '.work'));
  return new Engine(workspaceAt(root));
}

const STAGES = ['a', 'b', 'c', 'd'];
const thePlan = plan([
  stageDef('a'),
  stageDef('b', ['a']),
  stageDef('c', ['a'], { gate: 'auto' }),
  stageDef('d', ['b', 'c']),
]);

/** An event for one stage: mostly one its current state accepts, sometimes any (to be refused). */
function proposal(state: FluxState, pick: number, n: number): NewEvent {
  const stage = STAGES[pick % STAGES.length]!;
  const accepted = Object.keys(stageTable[state.stages[stage]!.status] ?? {});
  const all = Object.keys(stageTable.running!).concat('stage.verified', 'stage.merged', 'stage.rejected');
  const pool = pick % 5 === 0 || accepted.length === 0 ? all : accepted;
  const type = pool[Math.floor(pick / STAGES.length) % pool.length]!;
  const payload: Record<string, NewEvent> = {
    'stage.ready': { type: 'stage.ready', stage },
    'stage.started': { type: 'stage.started', stage, session: `${stage}.s${n}` },
    'stage.completed': { type: 'stage.completed', stage, forced: false },
    'stage.verified': { type: 'stage.verified', stage, by: 'human' },
    'stage.merged': { type: 'stage.merged', stage, commit: `c${n}` },
    'stage.merge_failed': { type: 'stage.merge_failed', stage, reason: 'conflict', conflicts: ['x'] },
    'stage.rejected': { type: 'stage.rejected', stage, reason: `r${n}` },
    'stage.failed': { type: 'stage.failed', stage, reason: `f${n}` },
    'stage.blocked': { type: 'stage.blocked', stage, reason: `b${n}` },
    'stage.reset': { type: 'stage.reset', stage },
    'stage.acceptance_failed': { type: 'stage.acceptance_failed', stage, results: [] },
    'stage.handoff_requested': {
      type: 'stage.handoff_requested',
      stage,
      handoff: `handoffs/${stage}-handoff-${n}.md`,
    },
  };
  return payload[type]!;
}

describe('replay', () => {
  it('gives exactly the live state, event for event', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 40 }), (picks) => {
        const engine = freshEngine();
        engine.commit((state) =>
          settle(state, [{ type: 'plan.initialized', plan: thePlan, base_branch: 'main' }]),
        );
        let n = 0;
        for (const pick of picks) {
          n++;
          const event = proposal(engine.load(), pick, n);
          try {
            const { state } = engine.commit((current) => {
              const decision = settle(current, [event]);
              // A started stage also gets its session, as `flux run` would record it.
              const started = decision.events.find((e) => e.type === 'stage.started');
              if (started?.type === 'stage.started' && current.sessions[started.session] === undefined) {
                decision.events.push({
                  type: 'session.started',
                  session: started.session,
                  stage: started.stage,
                  agent: 'sim',
                  tmux: `flux-${started.stage}`,
                });
              }
              return decision;
            });
            expect(state.seq).toBeGreaterThan(0);
            accepted++;
          } catch (error) {
            if (!(error instanceof FluxError)) throw error;
          }
        }
        const live = engine.load();
        const fromLog = replay(readLog(engine.ws.logPath).events);
        expect(fromLog).toEqual(live);
        expect(new Engine(engine.ws).load()).toEqual(live);
      }),
      { numRuns: 60 },
    );
    // The sequences must really move stages around, not just be refused.
    expect(accepted).toBeGreaterThan(200);
  });
});
