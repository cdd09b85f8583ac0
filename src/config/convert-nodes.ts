/**
 * The edits `convert` makes to a parsed YAML document, all in place on the nodes the parser
 * built: a key renamed keeps its quoting and comments, a list turned into a map keeps each
 * entry's key and value nodes (their comments, quoting and anchors), a block moved keeps its
 * nodes. Nothing is rebuilt from plain data, so what the library can keep is kept.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  Pair,
  Scalar,
  YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { formatPath } from './problems.js';
import type { KeyPath, Position } from './yaml-source.js';

/** One rewrite, at its place in the original file. */
export interface ConvertChange extends Position {
  /** Where it was, in the original file's words (`service.iam_roles.task_role`). */
  path: string;
  /** What was rewritten: `interval_seconds → interval`. */
  change: string;
}

/** Something left as it was (or carried over with a caveat), at its place in the original file. */
export interface NotConverted extends Position {
  path: string;
  /** Why it was not (or not fully) carried over. */
  reason: string;
  /** What to do about it. */
  hint: string;
}

/** What every step of the conversion shares: the document, and the two lists it fills. */
export class ConvertContext {
  readonly changes: ConvertChange[] = [];
  readonly notConverted: NotConverted[] = [];
  private readonly visited = new Map<string, WeakSet<object>>();

  constructor(
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Where `node` was in the original text; new nodes have no range: line 1 then. */
  at(node: unknown): Position {
    const offset = (node as Node | null | undefined)?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  change(path: KeyPath, node: unknown, change: string): void {
    this.changes.push({ path: formatPath(path), ...this.at(node), change });
  }

  refuse(path: KeyPath, node: unknown, reason: string, hint: string): void {
    this.notConverted.push({ path: formatPath(path), ...this.at(node), reason, hint });
  }

  /** The node an alias stands for (its anchor), or the node itself. */
  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /**
   * Whether `node` is seen for the first time as a `kind`: a block shared through an anchor is
   * converted (and reported) once, where it is first reached.
   */
  firstVisit(kind: string, node: object): boolean {
    let seen = this.visited.get(kind);
    if (seen === undefined) {
      seen = new WeakSet();
      this.visited.set(kind, seen);
    }
    if (seen.has(node)) return false;
    seen.add(node);
    return true;
  }

  /**
   * Calls `visit` with the map at `node` (through an alias) and with every map merged into it
   * (`<<: *base`), each once per `kind`: a key written in a merged block is converted where it
   * is written.
   */
  eachMap(kind: string, node: unknown, visit: (map: YAMLMap) => void): void {
    const map = this.resolve(node);
    if (!isMap(map) || !this.firstVisit(kind, map)) return;
    visit(map);
    for (const pair of map.items) {
      if (keyOf(pair) !== MERGE_KEY) continue;
      const value = this.resolve(pair.value);
      for (const source of isSeq(value) ? value.items : [value]) this.eachMap(kind, source, visit);
    }
  }

  /** The items of the list at `node` (through an alias); none when it is not a list. */
  items(node: unknown): unknown[] {
    const seq = this.resolve(node);
    return isSeq(seq) ? seq.items : [];
  }
}

export const MERGE_KEY = '<<';

/** A pair's key as text, when it is a plain scalar. */
export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyOf(pair) === key);
}

/**
 * Renames `from` to `to` in `map`, in place (the key node keeps its comments). When both are
 * written, nothing changes and the clash is reported: only the user knows which one holds.
 */
export function renameKey(
  ctx: ConvertContext,
  map: YAMLMap,
  path: KeyPath,
  from: string,
  to: string,
  why = '',
): void {
  const pair = findPair(map, from);
  if (pair === undefined) return;
  if (findPair(map, to) !== undefined) {
    ctx.refuse(
      [...path, from],
      pair.key,
      `both \`${from}\` and \`${to}\` are written`,
      `keep \`${to}\` and remove \`${from}\``,
    );
    return;
  }
  setKey(pair, to);
  ctx.change([...path, from], pair.key, `\`${from}\` → \`${to}\`${why}`);
}

/** Gives `pair` the key `name`, keeping the key node (its comments and blank line) when it is a scalar. */
export function setKey(pair: Pair, name: string): void {
  if (isScalar(pair.key)) pair.key.value = name;
  else pair.key = new Scalar(name);
}

/** Prepends `comment` to the comment before `node` (a moved block keeps the comment written above it). */
export function addCommentBefore(node: unknown, comment: string | null | undefined): void {
  if (!comment || node === null || typeof node !== 'object') return;
  const target = node as { commentBefore?: string | null };
  target.commentBefore = target.commentBefore ? `${comment}\n${target.commentBefore}` : comment;
}

/** One entry of a list written as a map: its name and value nodes, and the item they came from. */
interface Entry {
  key: Scalar;
  value: unknown;
  item: Node;
}

/** The `{name, value}` spellings ECS itself uses for a list entry (the task definition's JSON). */
const NAME_VALUE_KEYS = ['value', 'valueFrom', 'value_from'];

/**
 * Why an item of a list of one-key maps is not one, or its entry. `{name: X, value: Y}`
 * (ECS's own form) is an entry too.
 */
function entryOf(item: unknown): Entry | string {
  if (isAlias(item)) return 'is an alias to a shared block';
  if (!isMap(item)) return 'is not a one-key map (`NAME: value`)';
  const pairs = item.items.filter((pair) => keyOf(pair) !== undefined && keyOf(pair) !== MERGE_KEY);
  if (pairs.length === 0) return 'is an empty map, not `NAME: value`';
  if (pairs.length !== item.items.length) return 'has a key that is not plain text, or a merge (`<<`)';
  const [only] = pairs;
  if (pairs.length === 1 && only && isScalar(only.key)) return { key: only.key, value: only.value, item };
  const name = findPair(item, 'name');
  const value = NAME_VALUE_KEYS.map((key) => findPair(item, key)).find((pair) => pair !== undefined);
  if (pairs.length === 2 && name && value && isScalar(name.value))
    return { key: name.value, value: value.value, item };
  return `is a map of ${pairs.length} keys, not one (\`NAME: value\`)`;
}

/**
 * `NAME: value` map of a list of one-key maps (the original's form of `environment`,
 * `secrets`, log and volume options…), built from the same nodes; a comment above an item
 * stays above its entry. The list is replaced in `parent` under `key`. Nothing changes (and
 * the reason is reported) when an item is not a one-key map, a name is listed twice, or the
 * list is a shared block.
 */
export function listToMap(ctx: ConvertContext, parent: YAMLMap, path: KeyPath, key: string): void {
  const pair = findPair(parent, key);
  if (pair === undefined || isMap(ctx.resolve(pair.value))) return;
  const where = [...path, key];
  if (isAlias(pair.value)) {
    if (isSeq(ctx.resolve(pair.value)))
      ctx.refuse(
        where,
        pair.value,
        `is the shared block *${pair.value.source}, a list of one-key maps`,
        `write the block &${pair.value.source} as a map (\`NAME: value\`), then convert again`,
      );
    return;
  }
  if (!isSeq(pair.value)) return;
  const seq: YAMLSeq = pair.value;
  const entries: Entry[] = [];
  const names = new Map<string, number>();
  for (const [i, item] of seq.items.entries()) {
    const entry = entryOf(item);
    if (typeof entry === 'string') {
      ctx.refuse([...where, i], item, `item ${i} ${entry}`, `write \`${key}\` as a map, \`NAME: value\``);
      return;
    }
    const name = String(entry.key.value);
    const first = names.get(name);
    if (first !== undefined) {
      ctx.refuse(
        [...where, i],
        item,
        `\`${name}\` is listed twice (items ${first} and ${i}); a map holds each name once`,
        `keep one of the two, then convert again`,
      );
      return;
    }
    names.set(name, i);
    entries.push(entry);
  }
  const map = new YAMLMap();
  map.flow = seq.flow === true || entries.length === 0;
  map.commentBefore = seq.commentBefore;
  map.comment = seq.comment;
  map.spaceBefore = seq.spaceBefore;
  for (const { key: name, value, item } of entries) {
    addCommentBefore(name, item.commentBefore);
    if (item.spaceBefore) name.spaceBefore = true;
    const trailing = item.comment;
    if (trailing && value !== null && typeof value === 'object')
      (value as Node).comment = [(value as Node).comment, trailing].filter(Boolean).join('\n');
    map.items.push(new Pair(name, value));
  }
  pair.value = map;
  ctx.change(where, pair.key, `list of one-key maps → map (${entries.length} ${plural(entries.length)})`);
}

const plural = (count: number) => (count === 1 ? 'entry' : 'entries');

/** Replaces `map.items[index]` with `pairs`, keeping the comment written above the replaced key. */
export function replacePair(map: YAMLMap, index: number, pairs: Pair[]): void {
  const replaced = map.items[index];
  const [first] = pairs;
  if (replaced && first) {
    addCommentBefore(first.key, (replaced.key as Node | null)?.commentBefore);
    if ((replaced.key as Node | null)?.spaceBefore) (first.key as Node).spaceBefore = true;
  }
  map.items.splice(index, 1, ...pairs);
}

/** A new pair for `map`, made by the document (so its scalars print as the rest of the file). */
export function newPair(doc: Document, key: string, value: unknown): Pair {
  return doc.createPair(key, value);
}
