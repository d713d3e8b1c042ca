/**
 * The token, context and cost figures a simulated session reports on its
 * status line and in its transcript: deterministic, from the script's turns.
 */
import { CONTEXT_WINDOW_SIZE, type Usage } from './claude-json.js';
import type { SimTurn } from './script.js';

export function newUsage(): Usage {
  return {
    percent: null,
    totalInputTokens: 0,
    totalOutputTokens: 0,
    lastOutputTokens: 0,
    costUsd: 0,
    startedAt: Date.now(),
    linesAdded: 0,
    linesRemoved: 0,
  };
}

/** Deterministic token and cost figures for a finished turn: the script's `cost`, or list prices. */
export function recordTurn(usage: Usage, turn: SimTurn, linesAdded: number): void {
  usage.percent = turn.context ?? usage.percent ?? 1;
  usage.lastOutputTokens = 20 + Math.ceil(turn.say.length / 4) + 50 * turn.actions.length;
  usage.totalOutputTokens += usage.lastOutputTokens;
  const inputTokens = Math.round((usage.percent / 100) * CONTEXT_WINDOW_SIZE);
  usage.totalInputTokens += inputTokens;
  // Sonnet list prices: $3 per million input tokens, $15 per million output tokens.
  const turnCost = turn.cost ?? inputTokens * 3e-6 + usage.lastOutputTokens * 15e-6;
  usage.costUsd = Number((usage.costUsd + turnCost).toFixed(6));
  usage.linesAdded = linesAdded;
}
