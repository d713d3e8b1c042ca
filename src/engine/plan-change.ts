/**
 * What `flux init` does with a plan: the first init records it; a re-init
 * with a changed plan records `plan.updated` (history is never dropped), but
 * only with `--force`, and never silently drops a stage that has started.
 */
import { RefusedError } from '../errors.js';
import type { NewEvent } from '../log/events.js';
import type { Plan, StageDef } from '../plan/types.js';
import { settle, type Decision } from './decide.js';
import type { Engine } from './engine.js';
import type { FluxState } from './state.js';

export interface StageChange {
  id: string;
  fields: string[];
}

export interface PlanChange {
  pathChanged: boolean;
  /** The plan-level `setup` commands changed. */
  setupChanged: boolean;
  added: string[];
  removed: string[];
  changed: StageChange[];
  /** Stages whose order in the document moved (no state effect; reported for completeness). */
  reordered: boolean;
  /** The plan-level checks (`flux: acceptance:`) changed: the next merges run the new ones. */
  checksChanged: boolean;
  /** The plan-wide `budget` changed. */
  budgetChanged: boolean;
}

const FIELDS: (keyof StageDef)[] = [
  'name',
  'description',
  'dependencies',
  'parallel_group',
  'acceptance',
  'files',
  'gate',
  'setup',
  'estimate',
  'budget',
];

export function diffPlans(before: Plan, after: Plan): PlanChange {
  const old = new Map(before.stages.map((stage) => [stage.id, stage]));
  const next = new Map(after.stages.map((stage) => [stage.id, stage]));
  const changed: StageChange[] = [];
  for (const stage of after.stages) {
    const previous = old.get(stage.id);
    if (previous === undefined) continue;
    const fields = FIELDS.filter((field) => JSON.stringify(previous[field]) !== JSON.stringify(stage[field]));
    if (fields.length > 0) changed.push({ id: stage.id, fields });
  }
  const kept = (stages: StageDef[], other: Map<string, StageDef>) =>
    stages.filter((s) => other.has(s.id)).map((s) => s.id);
  return {
    pathChanged: before.path !== after.path,
    setupChanged: JSON.stringify(before.setup ?? []) !== JSON.stringify(after.setup ?? []),
    added: after.stages.filter((stage) => !old.has(stage.id)).map((stage) => stage.id),
    removed: before.stages.filter((stage) => !next.has(stage.id)).map((stage) => stage.id),
    changed,
    reordered: kept(before.stages, next).join('\n') !== kept(after.stages, old).join('\n'),
    checksChanged: JSON.stringify(before.acceptance ?? []) !== JSON.stringify(after.acceptance ?? []),
    budgetChanged: JSON.stringify(before.budget ?? null) !== JSON.stringify(after.budget ?? null),
  };
}

export function isUnchanged(change: PlanChange): boolean {
  return (
    !change.pathChanged &&
    !change.setupChanged &&
    change.added.length === 0 &&
    change.removed.length === 0 &&
    change.changed.length === 0 &&
    !change.reordered &&
    !change.checksChanged &&
    !change.budgetChanged
  );
}

export function describeChange(change: PlanChange): string[] {
  const lines: string[] = [];
  if (change.pathChanged) lines.push('plan file: moved');
  if (change.setupChanged) lines.push('~ setup (plan-level) changed');
  for (const id of change.added) lines.push(`+ ${id} (new stage)`);
  for (const id of change.removed) lines.push(`- ${id} (removed)`);
  for (const { id, fields } of change.changed) lines.push(`~ ${id}: ${fields.join(', ')} changed`);
  if (change.reordered) lines.push('stages reordered');
  if (change.checksChanged) lines.push('plan-level acceptance (merge checks) changed');
  if (change.budgetChanged) lines.push('plan budget changed');
  return lines;
}

/** Stages that may leave the plan: never started, or already merged (their history stays in the log). */
const REMOVABLE = new Set(['pending', 'ready', 'merged']);

export type InitOutcome =
  { kind: 'created' | 'updated'; decision: Decision; change: PlanChange | null } | { kind: 'unchanged' };

export function decideInit(
  state: FluxState,
  plan: Plan,
  baseBranch: string | null,
  force: boolean,
): InitOutcome {
  if (state.plan === null) {
    return {
      kind: 'created',
      change: null,
      decision: settle(state, [{ type: 'plan.initialized', plan, base_branch: baseBranch }]),
    };
  }
  const change = diffPlans(state.plan, plan);
  if (isUnchanged(change)) return { kind: 'unchanged' };

  const stuck = change.removed.filter((id) => !REMOVABLE.has(state.stages[id]?.status ?? 'pending'));
  if (stuck.length > 0) {
    const which = stuck.map((id) => `${id} (${state.stages[id]!.status})`).join(', ');
    throw new RefusedError(
      `the changed plan removes stages that have started: ${which}`,
      'keep them in the plan, or reset them first with `flux stage <id> reset` (their worktrees and branches are kept)',
    );
  }
  if (!force) {
    throw new RefusedError(
      `the plan changed since \`flux init\`:\n  ${describeChange(change).join('\n  ')}`,
      'run `flux init <plan-path> --force` to apply it (the event log keeps the history)',
    );
  }

  const events: NewEvent[] = [];
  // A ready stage that gained a dependency not merged yet goes back to pending.
  for (const { id, fields } of change.changed) {
    const stage = state.stages[id]!;
    const next = plan.stages.find((s) => s.id === id)!;
    const waits = next.dependencies.some((dep) => state.stages[dep]?.status !== 'merged');
    if (fields.includes('dependencies') && stage.status === 'ready' && waits) {
      events.push({ type: 'stage.reset', stage: id, reason: 'plan changed: new dependencies' });
    }
  }
  const update: NewEvent = {
    type: 'plan.updated',
    plan,
    added: change.added,
    removed: change.removed,
    changed: change.changed.map((c) => c.id),
  };
  return { kind: 'updated', change, decision: settle(state, [update, ...events]) };
}

export interface InitResult {
  outcome: InitOutcome;
  state: FluxState;
}

/** Decides and appends a plan (first or changed) in one locked transaction. */
export function commitPlan(
  engine: Engine,
  plan: Plan,
  baseBranch: string | null,
  force: boolean,
): InitResult {
  let outcome: InitOutcome = { kind: 'unchanged' };
  const { state } = engine.commit((current) => {
    outcome = decideInit(current, plan, baseBranch, force);
    return outcome.kind === 'unchanged' ? { events: [], effects: [] } : outcome.decision;
  });
  return { outcome, state };
}
