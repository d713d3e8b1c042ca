/** Builders for plan tests. */
import { hashStages } from '../../src/plan/hash.js';
import type { Plan, StageDef } from '../../src/plan/types.js';

/** A plan document around the given metadata YAML. */
export function planDocument(yaml: string, title = '# PLAN: Test plan'): string {
  return `${title}\n\nSome prose.\n\n<!-- FLUX METADATA -->\n\n\`\`\`yaml\n${yaml}\`\`\`\n\n<!-- END FLUX METADATA -->\n`;
}

/** The line of the file on which `planDocument`'s YAML starts. */
export const YAML_FIRST_LINE = 8;

export function stage(id: string, rest: Partial<StageDef> = {}): StageDef {
  return {
    id,
    name: id,
    description: '',
    dependencies: [],
    acceptance: [],
    files: [],
    gate: 'human',
    ...rest,
  };
}

/** A Plan built directly, without parsing: for graph tests. */
export function planOf(stages: StageDef[]): Plan {
  return { path: 'plan.md', title: 'plan', version: 1, stages, hash: hashStages(stages) };
}
