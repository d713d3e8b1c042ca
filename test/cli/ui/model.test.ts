/** The dashboard's model judges spend as `flux status` does: with the config's `[budget]` defaults. */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/cli/ui/model.js';
import { statusView } from '../../../src/engine/views.js';
import type { NewEvent } from '../../../src/log/events.js';
import { fold, plan, stageDef } from '../../engine/spec.js';

const spent: NewEvent[] = [
  { type: 'plan.initialized', plan: plan([stageDef('api')]), base_branch: 'main' },
  { type: 'stage.ready', stage: 'api' },
  { type: 'stage.started', stage: 'api', session: 'api.s1' },
  { type: 'session.started', session: 'api.s1', stage: 'api', agent: 'sim', tmux: 'flux-api' },
  { type: 'session.working', session: 'api.s1' },
  { type: 'session.cost', session: 'api.s1', usd: 1.2 },
];

describe('buildModel and budgets', () => {
  it('a stage past the [budget] default waits on its person, as in flux status', () => {
    const state = fold(spent);
    const check = { defaults: { usd: 1 }, now: Date.now() };
    const model = buildModel(state, { running: false }, check);
    const item = model.attention.find((a) => a.stage === 'api');
    expect(item?.what).toBe('budget reached: $1.20 of $1.00');
    expect(model.attention.map((a) => a.what)).toEqual(statusView(state, check).attention.map((a) => a.what));
  });

  it('without defaults the same spend holds nothing', () => {
    const model = buildModel(fold(spent), { running: false });
    expect(model.attention.filter((a) => a.what.includes('budget'))).toEqual([]);
    expect(model.rows.find((r) => r.id === 'api')?.cost).toBe(1.2);
  });
});
