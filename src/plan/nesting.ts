/**
 * How deeply the metadata YAML nests. The YAML composer, `toJS` and the
 * schema all recurse once per level, so a hostile plan nested thousands of
 * levels deep would exhaust the stack ("Maximum call stack size exceeded").
 * The concrete syntax tree is built without recursion, and walked here
 * without it, before anything else reads the YAML.
 */
import { Parser, type CST } from 'yaml';

/**
 * More lists and mappings inside one another than any plan needs: a valid
 * one has five levels (the document, `flux`, `stages`, a stage, a field's
 * list), and a mistake a few levels deeper still gets the schema's message.
 */
export const MAX_YAML_DEPTH = 64;

function isCollection(token: CST.Token): token is CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
  return token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
}

/** The tokens directly inside `token` that may hold collections, in document order. */
function children(token: CST.Token): CST.Token[] {
  if (token.type === 'document') return token.value === undefined ? [] : [token.value];
  if (!isCollection(token)) return [];
  return token.items.flatMap((item) =>
    [item.key, item.value].filter((child): child is CST.Token => child != null),
  );
}

/**
 * The offset in `yaml` of the first list or mapping nested more than
 * MAX_YAML_DEPTH levels deep, or undefined when there is none.
 */
export function tooDeepAt(yaml: string): number | undefined {
  const stack: { token: CST.Token; depth: number }[] = [];
  const documents = [...new Parser().parse(yaml)];
  for (const token of documents.reverse()) stack.push({ token, depth: 0 });
  while (stack.length > 0) {
    const { token, depth: above } = stack.pop() as (typeof stack)[number];
    const depth = isCollection(token) ? above + 1 : above;
    if (depth > MAX_YAML_DEPTH) return token.offset;
    // Reversed, so that the first token found too deep is the first in the text.
    for (const child of children(token).reverse()) stack.push({ token: child, depth });
  }
  return undefined;
}
