/**
 * The deployment file as YAML: parsed once, keeping every node's position, so that any later
 * check can point at the line and column of the key (or list item) it is about. Every step is
 * linear in the size of the text, and none recurses deeper than the file nests (capped), so a
 * hostile file costs what its size costs.
 */
import {
  type Alias,
  Composer,
  CST,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  type YAMLMap,
} from 'yaml';

/** A path into the file as the checks see it: map keys and list indexes. */
export type KeyPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** A problem of the text itself (syntax, a key written twice…), at its place. */
export interface SyntaxProblem extends Position {
  message: string;
}

export interface YamlSource {
  /** The document as plain data (`undefined` for an empty file or one with syntax errors). */
  data: unknown;
  /** Problems that leave no data to check: syntax errors, aliases to nothing, too deep. */
  syntaxProblems: SyntaxProblem[];
  /** Problems that still leave the data: a key written twice (the last one counts). */
  textProblems: SyntaxProblem[];
  /** Where `path` is written: its key, or its list item; else its closest written ancestor. */
  position(path: KeyPath): Position;
  /** The scalar at `path` exactly as written (`1.10`, not 1.1), if there is one. */
  sourceText(path: KeyPath): string | undefined;
}

/**
 * How deep maps and lists may nest. The deepest key of a deployment file
 * (`listeners[].rule.conditions.host_header[]`, under an `x-` anchor) is 6 levels down; the
 * YAML composer and every later step recurse once per level and overflow the stack near 1,000.
 */
export const MAX_DEPTH = 64;
/** Aliases (`*name`) in one file: a few shared blocks need tens; the parser resolves each in a scan of the anchors. */
export const MAX_ALIASES = 1_000;

const MERGE_KEY = '<<';
// Merge keys (`<<: *defaults`) are YAML 1.1, but deployment files often share blocks that way.
// Duplicate keys are found here, in one pass: the parser's own check compares every pair of keys.
const COMPOSE_OPTIONS = { merge: true, uniqueKeys: false, prettyErrors: false } as const;

export function parseYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = firstTooDeep(tokens);
  if (tooDeep !== undefined) {
    return unparsed([
      {
        ...at(tooDeep),
        message: `maps and lists nest more than ${MAX_DEPTH} levels deep here; a deployment file needs fewer than 10: remove the extra levels`,
      },
    ]);
  }
  const documents = [...new Composer(COMPOSE_OPTIONS).compose(tokens, true, text.length)];
  const [doc, second] = documents;
  if (doc === undefined) return unparsed([]);
  const syntaxProblems: SyntaxProblem[] = [...doc.errors, ...doc.warnings].map((error) => ({
    ...at(error.pos[0]),
    message: error.message.replace(/\s+/g, ' ').trim(),
  }));
  if (second !== undefined) {
    syntaxProblems.push({
      ...at(second.range[0]),
      message: `the file holds ${documents.length} YAML documents, separated by \`---\`; a deployment file holds one: the second starts here`,
    });
  }
  const walk = walkDocument(doc, at);
  syntaxProblems.push(...walk.syntaxProblems);
  let data: unknown;
  if (syntaxProblems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 }) ?? undefined;
    } catch {
      // The only throw left once aliases resolve: an alias bomb ("billion laughs").
      syntaxProblems.push({
        ...at(walk.firstAlias ?? 0),
        message:
          'aliases expand to more than 1,000 copies of their anchors: share blocks without nesting aliases',
      });
    }
  }
  const index = new MapIndex(walk.aliases);
  return {
    data,
    syntaxProblems,
    textProblems: walk.textProblems,
    position: (path) => at(find(doc, index, path).offset),
    sourceText: (path) => {
      const { node, complete } = find(doc, index, path);
      return complete && isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
    },
  };
}

function unparsed(syntaxProblems: SyntaxProblem[]): YamlSource {
  return {
    data: undefined,
    syntaxProblems,
    textProblems: [],
    position: () => ({ line: 1, column: 1 }),
    sourceText: () => undefined,
  };
}

/** The offset of the first collection nested deeper than `MAX_DEPTH`, walking the raw tokens without recursion. */
function firstTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { token, depth } = next;
    if (token.type === 'document') {
      if (token.value) stack.push({ token: token.value, depth });
    } else if (CST.isCollection(token)) {
      if (depth >= MAX_DEPTH) return token.offset;
      for (const item of token.items) {
        if (item.key) stack.push({ token: item.key, depth: depth + 1 });
        if (item.value) stack.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

interface DocumentWalk {
  syntaxProblems: SyntaxProblem[];
  textProblems: SyntaxProblem[];
  /** What each alias stands for: the last node with its anchor before it. */
  aliases: Map<Alias, unknown>;
  firstAlias: number | undefined;
}

/**
 * One pass over the document in reading order (so "the last anchor before the alias" is the
 * one in the map at that point): keys written twice in a map, aliases to no anchor, too many aliases.
 */
function walkDocument(doc: Document, at: (offset: number) => Position): DocumentWalk {
  const walk: DocumentWalk = {
    syntaxProblems: [],
    textProblems: [],
    aliases: new Map(),
    firstAlias: undefined,
  };
  const anchors = new Map<string, unknown>();
  const stack: unknown[] = [doc.contents];
  for (let node = stack.pop(); stack.length > 0 || node !== undefined; node = stack.pop()) {
    if (isAlias(node)) {
      const offset = node.range?.[0] ?? 0;
      walk.firstAlias ??= offset;
      const target = anchors.get(node.source);
      if (target === undefined) {
        walk.syntaxProblems.push({
          ...at(offset),
          message: `*${node.source} refers to no anchor: define &${node.source} before it (anchors are read top to bottom)`,
        });
      } else if (walk.aliases.size >= MAX_ALIASES) {
        walk.syntaxProblems.push({ ...at(offset), message: `more than ${MAX_ALIASES} aliases in one file` });
        break;
      }
      walk.aliases.set(node, target);
      continue;
    }
    const anchor = (node as Node | null | undefined)?.anchor;
    if (anchor) anchors.set(anchor, node);
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const offset = rangeStart(pair.key) ?? 0;
        const first = key === undefined || key === MERGE_KEY ? undefined : seen.get(key);
        if (first !== undefined) {
          walk.textProblems.push({
            ...at(offset),
            message: `\`${key}\` is written twice in this map (first at line ${at(first).line}): keep one`,
          });
        }
        if (key !== undefined) seen.set(key, offset);
      }
      // Reversed, so that the stack hands them out in reading order.
      for (const pair of [...node.items].reverse()) stack.push(pair.value, pair.key);
    } else if (isSeq(node)) {
      for (const item of [...node.items].reverse()) stack.push(item);
    } else if (isPair(node)) {
      stack.push(node.value, node.key);
    }
  }
  return walk;
}

/** Each map's entries by key, built the first time the map is searched: a lookup costs one step. */
class MapIndex {
  private readonly maps = new WeakMap<YAMLMap, { entries: Map<string, Entry>; merges: unknown[] }>();

  constructor(readonly aliases: ReadonlyMap<Alias, unknown>) {}

  resolve(node: unknown): unknown {
    return isAlias(node) ? this.aliases.get(node) : node;
  }

  of(map: YAMLMap) {
    let indexed = this.maps.get(map);
    if (indexed === undefined) {
      indexed = { entries: new Map(), merges: [] };
      // Later entries win, as they do in the data.
      for (const pair of map.items) {
        const key = keyText(pair.key);
        if (key === MERGE_KEY) indexed.merges.push(pair);
        else if (key !== undefined)
          indexed.entries.set(key, { node: pair.value, offset: rangeStart(pair.key) });
      }
      this.maps.set(map, indexed);
    }
    return indexed;
  }
}

interface Entry {
  node: unknown;
  offset: number | undefined;
}

interface Found {
  /** Where to point: the key of the deepest step found, or its list item. */
  offset: number;
  node: unknown;
  complete: boolean;
}

/** Walks `path` through the document, following aliases and merge keys, as far as it goes. */
function find(doc: Document, index: MapIndex, path: KeyPath): Found {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const step of path) {
    node = index.resolve(node);
    const next = isMap(node) ? entry(index, node, step) : isSeq(node) ? item(node.items, step) : undefined;
    if (next === undefined) return { offset, node, complete: false };
    offset = next.offset ?? offset;
    node = next.node;
  }
  return { offset, node, complete: true };
}

function entry(index: MapIndex, map: YAMLMap, step: string | number): Entry | undefined {
  const { entries, merges } = index.of(map);
  const written = entries.get(String(step));
  if (written) return written;
  // Not written here: maybe merged in from `<<: *anchor`; then point at the `<<` line.
  for (const merge of merges) {
    if (!isPair(merge)) continue;
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const source of sources) {
      const resolved = index.resolve(source);
      const inner = isMap(resolved) ? entry(index, resolved, step) : undefined;
      if (inner) return { node: inner.node, offset: rangeStart(merge.key) };
    }
  }
  return undefined;
}

function item(items: unknown[], step: string | number): Entry | undefined {
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
