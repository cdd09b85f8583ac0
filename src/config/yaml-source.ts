/**
 * The deployment file as YAML: parsed once, keeping every node's position, so that any later
 * check can point at the line and column of the key (or list item) it is about.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/** A path into the file as the checks see it: map keys and list indexes. */
export type KeyPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** A YAML syntax error (or warning, such as an unknown `!tag`), at its place in the text. */
export interface SyntaxProblem extends Position {
  message: string;
}

export interface YamlSource {
  /** The document as plain data (`undefined` for an empty file), aliases and merge keys resolved. */
  data: unknown;
  /** Empty when the text is well-formed YAML. */
  syntaxProblems: SyntaxProblem[];
  /** Where `path` is written: its key, or its list item; else its closest written ancestor. */
  position(path: KeyPath): Position;
  /** The scalar at `path` exactly as written (`1.10`, not 1.1), if there is one. */
  sourceText(path: KeyPath): string | undefined;
}

const MERGE_KEY = '<<';

export function parseYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are YAML 1.1, but deployment files often share blocks that way.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxProblems = [...doc.errors, ...doc.warnings].map((error) => ({
    ...at(error.pos[0]),
    message: error.message.replace(/\s+/g, ' ').trim(),
  }));
  let data: unknown;
  if (syntaxProblems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 }) ?? undefined;
    } catch (error) {
      // An alias bomb ("billion laughs") is refused by the parser itself.
      syntaxProblems.push({
        line: 1,
        column: 1,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return {
    data,
    syntaxProblems,
    position: (path) => at(find(doc, path).offset),
    sourceText: (path) => {
      const { node, complete } = find(doc, path);
      return complete && isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
    },
  };
}

interface Found {
  /** Where to point: the key of the deepest step found, or its list item. */
  offset: number;
  node: unknown;
  complete: boolean;
}

/** Walks `path` through the document, following aliases and merge keys, as far as it goes. */
function find(doc: Document, path: KeyPath): Found {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const step of path) {
    if (isAlias(node)) node = node.resolve(doc);
    const next = isMap(node)
      ? entry(doc, node.items, step)
      : isSeq(node)
        ? item(node.items, step)
        : undefined;
    if (next === undefined) return { offset, node, complete: false };
    offset = next.offset ?? offset;
    node = next.node;
  }
  return { offset, node, complete: true };
}

type MapItems = { key: unknown; value: unknown }[];

function entry(
  doc: Document,
  items: MapItems,
  step: string | number,
): { node: unknown; offset?: number } | undefined {
  const pair = items.find((p) => keyText(p.key) === String(step));
  if (pair) return { node: pair.value, offset: rangeStart(pair.key) };
  // Not written here: maybe merged in from `<<: *anchor`; then point at the `<<` line.
  for (const merge of items.filter((p) => keyText(p.key) === MERGE_KEY)) {
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const source of sources) {
      const resolved = isAlias(source) ? source.resolve(doc) : source;
      const inner = isMap(resolved) ? entry(doc, resolved.items as MapItems, step) : undefined;
      if (inner) return { node: inner.node, offset: rangeStart(merge.key) };
    }
  }
  return undefined;
}

function item(items: unknown[], step: string | number): { node: unknown; offset?: number } | undefined {
  if (typeof step !== 'number' || step >= items.length) return undefined;
  const node = items[step];
  return { node, offset: rangeStart(node) };
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
