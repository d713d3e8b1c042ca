/**
 * Maps a path in the parsed YAML (`['flux', 'stages', 1, 'id']`) to a
 * line:column in the original markdown file, so every message points at the
 * spot to edit.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceLocation } from '../errors.js';

export type YamlPath = readonly (string | number)[];

interface Found {
  node: Node;
  /** The key node of the last path segment, when it was a map key. */
  key?: Node | undefined;
}

export class YamlLocator {
  readonly file: string;
  private readonly doc: Document;
  private readonly lineCounter: LineCounter;
  private readonly firstLine: number;

  /** `firstLine`: the file line on which the YAML text starts. */
  constructor(doc: Document, lineCounter: LineCounter, file: string, firstLine: number) {
    this.doc = doc;
    this.lineCounter = lineCounter;
    this.file = file;
    this.firstLine = firstLine;
  }

  /** Location of a character offset in the YAML text. */
  atOffset(offset: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line: this.firstLine + line - 1, column: col };
  }

  /** Where the value at `path` is; the nearest existing ancestor when it is missing. */
  value(path: YamlPath): SourceLocation {
    return this.locate(this.walk(path).at(-1)?.node);
  }

  /** Where the key of the last segment of `path` is (for unknown or duplicate keys). */
  key(path: YamlPath): SourceLocation {
    const trail = this.walk(path);
    const last = trail.at(-1);
    const complete = trail.length === path.length + 1;
    return this.locate(complete && last?.key !== undefined ? last.key : last?.node);
  }

  /** The stage (its id, or `#n`) whose YAML contains the offset: names the stage in YAML syntax errors. */
  stageAt(offset: number): string | undefined {
    const list = this.find(['flux', 'stages']);
    if (list === undefined || !isSeq(list)) return undefined;
    const index = list.items.findIndex((item) => {
      const range = isNode(item) ? item.range : undefined;
      return range != null && range[0] <= offset && offset <= range[2];
    });
    if (index === -1) return undefined;
    const id = this.find(['flux', 'stages', index, 'id']);
    return isScalar(id) && typeof id.value === 'string' && id.value !== '' ? id.value : `#${index + 1}`;
  }

  /** The node at exactly `path`, if it exists. */
  private find(path: YamlPath): Node | undefined {
    const trail = this.walk(path);
    const last = trail.at(-1);
    // A key without a value stands in for its value in `walk`; here it is no value.
    return trail.length === path.length + 1 && last?.node !== last?.key ? last?.node : undefined;
  }

  private locate(node: Node | undefined): SourceLocation {
    const start = node?.range?.[0];
    return start === undefined ? { file: this.file, line: this.firstLine } : this.atOffset(start);
  }

  /** The nodes along `path` as far as they exist, starting with the root. */
  private walk(path: YamlPath): Found[] {
    const root = this.resolve(this.doc.contents);
    if (root === undefined) return [];
    const trail: Found[] = [{ node: root }];
    for (const segment of path) {
      const next = this.child((trail.at(-1) as Found).node, segment);
      if (next === undefined) break;
      trail.push(next);
    }
    return trail;
  }

  private child(node: Node, segment: string | number): Found | undefined {
    if (typeof segment === 'number') {
      const item = isSeq(node) ? this.resolve(node.items[segment]) : undefined;
      return item === undefined ? undefined : { node: item };
    }
    if (!isMap(node)) return undefined;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
    if (pair === undefined || !isScalar(pair.key)) return undefined;
    // `field:` with no value has no value node: point at the key instead.
    return { node: this.resolve(pair.value) ?? pair.key, key: pair.key };
  }

  private resolve(value: unknown): Node | undefined {
    if (isAlias(value)) return this.resolve(value.resolve(this.doc));
    return isScalar(value) || isMap(value) || isSeq(value) ? value : undefined;
  }
}
