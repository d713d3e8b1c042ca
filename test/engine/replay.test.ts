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
import { replay } from '../../src/engine/state.js';
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
const thePlan = plan([stageDef('a'), stageDef('b', ['a']), stageDef('c', ['a'], { gate: 'auto' }), stageDef('d', ['b', 'c'])]);

const proposal = (n: number): fc.Arbitrary<NewEvent> => {
  const stage = fc.constantFrom(...STAGES);
  return fc.oneof(
    stage.map((s) => ({ type: 'stage.started', stage: s, session: `${s}.s${n}` }) as NewEvent),
    stage.map((s) => ({ type: 'stage.completed', stage: s, forced: false }) as NewEvent),
    stage.map((s) => ({ type: 'stage.verified', stage: s, by: 'human' }) as NewEvent),
    stage.map((s) => ({ type: 'stage.merged', stage: s, commit: `c${n}` }) as NewEvent),
    stage.map((s) => ({ type: 'stage.rejected', stage: s, reason: `r${n}` }) as NewEvent),
    stage.map((s) => ({ type: 'stage.blocked', stage: s, reason: `b${n}` }) as NewEvent),
    stage.map((s) => ({ type: 'stage.reset', stage: s }) as NewEvent),
    stage.map((s) => ({ type: 'stage.handoff_requested', stage: s, handoff: `handoffs/${s}-handoff-${n}.md` }) as NewEvent),
  );
};

describe('replay', () => {
  it('gives exactly the live state, event for event', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 40 }), fc.integer(), (picks, seed) => {
        const engine = freshEngine();
        engine.commit((state) => settle(state, [{ type: 'plan.initialized', plan: thePlan, base_branch: 'main' }]));
        let n = 0;
        for (const pick of picks) {
          n++;
          const [event] = fc.sample(proposal(n), { seed: seed + pick, numRuns: 1 });
          try {
            const { state } = engine.commit((current) => {
              const decision = settle(current, [event!]);
              // A started stage also gets its session, as `flux run` would record it.
              const started = decision.events.find((e) => e.type === 'stage.started');
              if (started?.type === 'stage.started' && current.sessions[started.session] === undefined) {
                decision.events.push({ type: 'session.started', session: started.session, stage: started.stage, agent: 'sim', tmux: `flux-${started.stage}` });
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
