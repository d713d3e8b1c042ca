/**
 * Performing the machines' effect requests (the effects lock already held):
 * each stage's requests in order, different stages' side by side, and each
 * request handed to the code that carries it out.
 */
import type { EffectRequest } from '../../machines/index.js';
import type { Runtime } from '../runtime.js';
import { launch } from './launch.js';
import { cleanupStage } from './merge.js';

/** How many stages' requests run at once: sixteen stages start about as fast as raw git and tmux would. */
const PARALLEL_STAGES = 4;
/**
 * Stages on hosts have a pool of their own: their requests mostly wait on
 * the network and the host's ssh server, not on this machine (docs/hosts.md).
 */
const PARALLEL_HOST_STAGES = 8;

/**
 * Runs `one` on every request: a stage's in order, up to four stages at a
 * time; the merges one after another, in the merge queue's order
 * (`mergeOrder`: dependencies, then approval; docs/merge-queue.md).
 */
export async function performByStage(
  effects: EffectRequest[],
  one: (effect: EffectRequest) => Promise<void>,
  mergeOrder: readonly string[] = [],
  onHost: (stage: string) => boolean = () => false,
): Promise<void> {
  const byStage = new Map<string, EffectRequest[]>();
  const merges: EffectRequest[] = [];
  for (const effect of effects) {
    if (effect.type === 'mergeStage') {
      merges.push(effect);
      continue;
    }
    const list = byStage.get(effect.params.stage) ?? [];
    list.push(effect);
    byStage.set(effect.params.stage, list);
  }
  const queues = [...byStage.entries()].filter(([stage]) => !onHost(stage)).map(([, queue]) => queue);
  const hostQueues = [...byStage.entries()].filter(([stage]) => onHost(stage)).map(([, queue]) => queue);
  if (merges.length > 0) {
    const rank = (effect: EffectRequest): number => {
      const at = mergeOrder.indexOf(effect.params.stage);
      return at === -1 ? mergeOrder.length : at;
    };
    queues.unshift(merges.sort((a, b) => rank(a) - rank(b)));
  }
  const worker = (from: EffectRequest[][]) => async (): Promise<void> => {
    for (let queue = from.shift(); queue !== undefined; queue = from.shift()) {
      for (const effect of queue) await one(effect);
    }
  };
  await Promise.all([
    ...Array.from({ length: Math.min(PARALLEL_STAGES, queues.length) }, worker(queues)),
    ...Array.from({ length: Math.min(PARALLEL_HOST_STAGES, hostQueues.length) }, worker(hostQueues)),
  ]);
}

/** Carries out one request. */
export async function performRequest(rt: Runtime, effect: EffectRequest): Promise<void> {
  switch (effect.type) {
    case 'launchSession':
      if (effect.params.session !== null) await launch(rt, effect.params.stage, effect.params.session);
      break;
    case 'endSession':
      await rt.endSession(effect.params.stage, effect.params.session);
      break;
    case 'mergeStage':
      await rt.merge(effect.params.stage);
      break;
    case 'cleanupStage':
      await cleanupStage(rt, effect.params.stage);
      break;
  }
}

/** Work for a merged stage (closing its session, removing its worktree): on no one's critical path. */
export function isMergedStageCleanup(rt: Runtime, effect: EffectRequest): boolean {
  const mergedStage = rt.engine.load().stages[effect.params.stage]?.status === 'merged';
  return mergedStage && (effect.type === 'cleanupStage' || effect.type === 'endSession');
}
