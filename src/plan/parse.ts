/**
 * Plan document (markdown) → validated Plan. Pure: no I/O. Every problem is
 * one PlanError naming the file, line:column, stage and field.
 */
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { PlanError } from '../errors.js';
import { checkPlanText, controlInData, describeControl } from './characters.js';
import { checkPlanAcceptance, checkPlanSetup, checkStages } from './checks.js';
import { canonicalBudget, canonicalStage, hashStages } from './hash.js';
import { issueToPlanError, pickIssue, stageLabel } from './issues.js';
import { YamlLocator } from './locate.js';
import { extractMetadata, extractTitle } from './markdown.js';
import { MAX_YAML_DEPTH, tooDeepAt } from './nesting.js';
import { metadataSchema } from './schema.js';
import type { Plan } from './types.js';

/**
 * YAML reports an unclosed quote at the end of the text; the opening quote is
 * where it can be fixed. Nothing after it can be the same quote, unescaped.
 */
function openingQuote(error: YAMLError, yaml: string): number | undefined {
  const quote = /^Missing closing (["'])quote/.exec(error.message)?.[1];
  if (quote === undefined) return undefined;
  for (let i = Math.min(error.pos[0], yaml.length) - 1; i >= 0; i--) {
    if (yaml[i] === quote && !(quote === '"' && yaml[i - 1] === '\\')) return i;
  }
  return undefined;
}

function yamlError(error: YAMLError, yaml: string, at: YamlLocator): PlanError {
  const quote = openingQuote(error, yaml);
  const offset = quote ?? error.pos[0];
  const location = at.atOffset(offset);
  const stage = at.stageAt(offset);
  if (quote !== undefined) {
    return new PlanError({
      location,
      stage,
      message: `YAML syntax error: this ${yaml[quote]} quote is never closed`,
      hint: `close it with ${yaml[quote]} at the end of the value`,
    });
  }
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^[^:\s]+/.exec(yaml.slice(error.pos[0]))?.[0] ?? '';
    return new PlanError({
      location,
      stage,
      field: key === '' ? undefined : key,
      message: 'YAML error: this key appears twice in the same mapping',
      hint: 'keep one of the two (stages are separate `- ` entries of `stages`)',
    });
  }
  if (error.code === 'MULTIPLE_DOCS') {
    return new PlanError({
      location,
      message: 'YAML error: the block holds more than one YAML document',
      hint: 'remove the `---` line: the metadata is one document',
    });
  }
  return new PlanError({
    location,
    stage,
    message: `YAML syntax error: ${error.message}`,
    hint: 'fix the YAML here: check the indentation, that every key is followed by `: `, and quote values containing `: ` or `#`',
  });
}

/** Refuses YAML nested deeper than MAX_YAML_DEPTH before the composer, which recurses, reads it. */
function checkNesting(yaml: string, file: string, firstLine: number): void {
  const offset = tooDeepAt(yaml);
  if (offset === undefined) return;
  const before = yaml.slice(0, offset).split('\n');
  throw new PlanError({
    location: { file, line: firstLine + before.length - 1, column: (before.at(-1) as string).length + 1 },
    message: `YAML error: the metadata nests more than ${MAX_YAML_DEPTH} levels deep here`,
    hint: 'a plan needs only a few levels (`flux:` → `stages:` → a stage → its fields → their lists): remove the extra nesting',
  });
}

/** Refuses a control character a YAML escape (`"\e"`, `"\0"`) put into a key or value. */
function checkControlInValues(data: unknown, at: YamlLocator): void {
  const found = controlInData(data);
  if (found === undefined) return;
  const { path } = found;
  const inStage = path[0] === 'flux' && path[1] === 'stages' && typeof path[2] === 'number';
  const field =
    inStage && typeof path[3] === 'string' && !(found.inKey && path.length === 4) ? path[3] : undefined;
  throw new PlanError({
    location: found.inKey ? at.key(path) : at.value(path),
    stage: inStage ? stageLabel(data, path[2] as number) : undefined,
    field,
    message: `${found.inKey ? 'a key ' : ''}holds the control character ${describeControl(found.char)}`,
    hint: 'remove the escape that writes it (such as `\\e`, `\\0` or `\\x1b`): plan text goes into prompts, terminals and tmux',
  });
}

/** Parses and validates a plan. `file` names the plan in messages and becomes `Plan.path`. */
export function parsePlan(text: string, file: string): Plan {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  checkPlanText(source, file);
  const block = extractMetadata(source, file);
  checkNesting(block.yaml, file, block.firstLine);
  const lineCounter = new LineCounter();
  const doc = parseDocument(block.yaml, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = new YamlLocator(doc, lineCounter, file, block.firstLine);
  const firstError = doc.errors[0];
  if (firstError !== undefined) throw yamlError(firstError, block.yaml, at);

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // e.g. an alias bomb: the YAML is well-formed but cannot be expanded.
    throw new PlanError({
      location: at.value([]),
      message: `YAML error: ${(error as Error).message}`,
      hint: 'write the metadata without YAML anchors and aliases',
    });
  }
  checkControlInValues(data, at);
  const result = metadataSchema.safeParse(data);
  if (!result.success) throw issueToPlanError(pickIssue(result.error.issues), data, at);

  const stages = result.data.flux.stages.map(canonicalStage);
  const setup = result.data.flux.setup ?? [];
  checkPlanSetup(setup, at);
  checkStages(stages, at);
  const acceptance = [...result.data.flux.acceptance];
  checkPlanAcceptance(acceptance, at);
  const budget = result.data.flux.budget === undefined ? undefined : canonicalBudget(result.data.flux.budget);
  return {
    path: file,
    title: extractTitle(source, file),
    version: 1,
    ...(setup.length === 0 ? {} : { setup }),
    stages,
    ...(acceptance.length === 0 ? {} : { acceptance }),
    hash: hashStages(stages, setup, budget, acceptance),
    ...(budget === undefined ? {} : { budget }),
  };
}
