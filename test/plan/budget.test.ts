/**
 * `budget` in the plan: a stage's and the plan-wide one, parsed into the
 * Plan (and its hash), and every wrong shape refused with the file, line,
 * stage and field.
 */
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/parse.js';

function doc(stageExtra: string, fluxExtra = ''): string {
  return [
    '# PLAN: Budgets',
    '',
    '<!-- FLUX METADATA -->',
    '',
    '```yaml',
    'flux:',
    '  version: 1',
    ...(fluxExtra === '' ? [] : [fluxExtra]),
    '  stages:',
    '    - id: s1',
    '      name: "One"',
    ...(stageExtra === '' ? [] : [stageExtra]),
    '```',
    '',
    '<!-- END FLUX METADATA -->',
    '',
  ].join('\n');
}

function refusal(text: string): PlanError {
  try {
    parsePlan(text, 'PLAN.md');
  } catch (error) {
    expect(error).toBeInstanceOf(PlanError);
    return error as PlanError;
  }
  throw new Error('the plan was accepted');
}

describe('budget in the plan', () => {
  it("reads a stage's budget and the plan's", () => {
    const p = parsePlan(
      doc('      budget: {usd: 2.5, minutes: 90}', '  budget:\n    tokens: 5000000'),
      'PLAN.md',
    );
    expect(p.stages[0]!.budget).toEqual({ usd: 2.5, minutes: 90 });
    expect(p.budget).toEqual({ tokens: 5_000_000 });
  });

  it('keeps the hash of a plan without budgets, and changes it with one', () => {
    const without = parsePlan(doc(''), 'PLAN.md');
    expect(without).not.toHaveProperty('budget');
    expect(parsePlan(doc('', '  budget: {usd: 9}'), 'PLAN.md').hash).not.toBe(without.hash);
    expect(parsePlan(doc('      budget: {usd: 9}'), 'PLAN.md').hash).not.toBe(without.hash);
  });

  it('refuses a budget that is not a mapping, naming the line and field', () => {
    const error = refusal(doc('      budget: 5'));
    expect(error.message).toBe(
      "PLAN.md:11:15: stage 's1': field 'budget': a stage's budget must be a mapping of `usd`, `minutes` and `tokens`, not `5` (a number)",
    );
    expect(error.hint).toContain('budget: {usd: 5, minutes: 90, tokens: 2000000}');
  });

  it('refuses a limit that is not a number above 0', () => {
    expect(refusal(doc('      budget: {usd: -3}')).message).toBe(
      "PLAN.md:11:21: stage 's1': field 'budget.usd': must be a number of US dollars above 0, not `-3` (a number)",
    );
    expect(refusal(doc('      budget: {tokens: 1.5}')).message).toContain(
      'must be a whole number of tokens above 0, not `1.5` (a number)',
    );
  });

  it('refuses an unknown budget field, with the one meant', () => {
    const error = refusal(doc('      budget: {dollars: 3}'));
    expect(error.message).toBe("PLAN.md:11:16: stage 's1': field 'budget.dollars': unknown budget field");
    expect(error.hint).toContain('a budget takes `usd`, `minutes`, `tokens`');
    expect(refusal(doc('      budget: {minute: 3}')).message).toContain('(did you mean `minutes`?)');
  });

  it("refuses a plan-wide budget of the wrong type, as the plan's", () => {
    const error = refusal(doc('', '  budget: "lots"'));
    expect(error.message).toBe(
      "PLAN.md:8:11: field 'budget': the plan's budget must be a mapping of `usd`, `minutes` and `tokens`, not `lots` (a string)",
    );
    expect(refusal(doc('', '  budget: {usd: 0}')).message).toContain(
      "field 'budget.usd': must be a number of US dollars above 0, not `0` (a number)",
    );
  });
});
