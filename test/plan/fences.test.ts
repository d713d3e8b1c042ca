/**
 * Only a metadata block outside every code fence is the plan: one shown
 * inside a fence is an example (docs/plan-format.md, "Code fences"). Fences
 * follow CommonMark: ``` or ~~~ (three or more), closed only by a line of the
 * same character, at least as long, with nothing after it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { PlanError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/parse.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../fixtures/plans/fences/${name}.md`, import.meta.url)), 'utf8');

const block = (id: string, fence = '```'): string =>
  `<!-- FLUX METADATA -->\n\n${fence}yaml\nflux:\n  version: 1\n  stages:\n    - id: ${id}\n      name: ${id}\n${fence}\n\n<!-- END FLUX METADATA -->\n`;

const idsOf = (text: string): string[] => parsePlan(text, 'plan.md').stages.map((stage) => stage.id);

function errorOf(text: string): PlanError {
  try {
    parsePlan(text, 'plan.md');
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('a metadata block inside a code fence is an example, not the plan', () => {
  test.each(['example-after', 'example-before-tilde', 'example-in-markdown-fence'])(
    '%s: the top-level block is the plan',
    (name) => {
      expect(idsOf(fixture(name))).toEqual(['real-stage']);
    },
  );

  test('a plan whose only block is in a fence has no metadata block, and the hint says where the example is', () => {
    const text = `# Plan\n\n\`\`\`\`markdown\n${block('example')}\`\`\`\`\n`;
    const error = errorOf(text);
    expect(error.message).toBe('plan.md: no metadata block');
    expect(error.hint).toBe(
      'the `<!-- FLUX METADATA -->` at line 4 is inside the code fence opened at line 3, so it is an example: ' +
        'put the plan’s own block outside any code fence',
    );
  });

  test('an end marker inside a fence does not close a top-level block', () => {
    const text = `${block('real')}\n~~~\n<!-- END FLUX METADATA -->\n~~~\n`;
    expect(idsOf(text)).toEqual(['real']);
  });

  test('an end marker inside a fence does not count as an orphan either', () => {
    const error = errorOf('# Plan\n\n```\n<!-- END FLUX METADATA -->\n```\n');
    expect(error.message).toBe('plan.md: no metadata block');
  });
});

describe('CommonMark fence rules', () => {
  // Each `outer` fence wraps an example block; the real block follows it.
  test.each([
    ['a shorter backtick line does not close a longer fence', '````', '```', '````'],
    ['a tilde line does not close a backtick fence', '```', '~~~', '```'],
    ['a backtick line does not close a tilde fence', '~~~~', '```', '~~~~'],
    ['a line with text after the marks does not close', '```', '```yaml', '```'],
    ['a longer line of the same character closes', '```', '~~~', '`````'],
  ])('%s', (_, open, inner, close) => {
    // The example's own fence uses the other character, so only `inner` can end the outer fence early.
    const exampleFence = open.startsWith('`') ? '~~~' : '```';
    const example = `${open}text\n${inner}\n${block('example', exampleFence)}${inner}\n${close}\n\n`;
    expect(idsOf(`# Plan\n\n${example}${block('real')}`)).toEqual(['real']);
  });

  test('a backtick line with a backtick in its info string is not a fence', () => {
    // "```a`b" is inline code in CommonMark, so the block after it is top-level.
    expect(idsOf(`# Plan\n\n\`\`\`a\`b\n\n${block('real')}`)).toEqual(['real']);
  });

  test('fences indented in a list item count', () => {
    const example = `- an example:\n\n  \`\`\`\`markdown\n  ${block('example').replace(/\n(?=.)/g, '\n  ')}  \`\`\`\`\n\n`;
    expect(idsOf(`# Plan\n\n${example}${block('real')}`)).toEqual(['real']);
  });

  test('a fence left open runs to the end of the document', () => {
    expect(idsOf(`# Plan\n\n${block('real')}\n\`\`\`\n${block('example')}`)).toEqual(['real']);
  });

  test('the metadata fence may be longer than three marks, and is closed by the same rule', () => {
    expect(idsOf(`# Plan\n\n${block('real', '````')}`)).toEqual(['real']);
    const inner =
      '<!-- FLUX METADATA -->\n\n````yaml\nflux:\n  version: 1\n  stages: [{id: a, name: A}]\n```\n````\n\n<!-- END FLUX METADATA -->\n';
    const error = errorOf(`# Plan\n\n${inner}`);
    expect(error.message).toMatch(/^plan\.md:9:1: YAML syntax error: /);
  });

  test('headings inside fences are not the title', () => {
    const text = `~~~\n# Not the title\n\`\`\`\n# Still not\n~~~\n\n# The title\n\n${block('real')}`;
    expect(parsePlan(text, 'plan.md').title).toBe('The title');
  });
});
