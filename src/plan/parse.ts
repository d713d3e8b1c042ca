/**
 * Plan document (markdown) → validated Plan. Pure: no I/O. Every problem is
 * one PlanError naming the file, line:column, stage and field.
 */
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { PlanError } from '../errors.js';
import { checkStages } from './checks.js';
import { canonicalStage, hashStages } from './hash.js';
import { issueToPlanError, pickIssue } from './issues.js';
import { YamlLocator } from './locate.js';
import { extractMetadata, extractTitle } from './markdown.js';
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

/** Parses and validates a plan. `file` names the plan in messages and becomes `Plan.path`. */
export function parsePlan(text: string, file: string): Plan {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const block = extractMetadata(source, file);
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
  const result = metadataSchema.safeParse(data);
  if (!result.success) throw issueToPlanError(pickIssue(result.error.issues), data, at);

  const stages = result.data.flux.stages.map(canonicalStage);
  checkStages(stages, at);
  return { path: file, title: extractTitle(source, file), version: 1, stages, hash: hashStages(stages) };
}
