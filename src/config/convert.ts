/**
 * `ecs-crd convert`: an original-tool (ecs-crd-cli 1.2.0) deployment file rewritten into
 * ecs-crd's preferred form, as one pure function of its text. The file is edited in place,
 * node by node, through the YAML library's document (comments, key order, quoting and anchors
 * stay where the library can keep them), and every rewrite is listed, with what could not be
 * carried over and what to do about it. A file already in ecs-crd's form comes back as it
 * was, byte for byte: converting twice changes nothing.
 */
import { LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { reportUnknownKeys } from './convert-keys.js';
import { type ConvertChange, ConvertContext, findPair, type NotConverted } from './convert-nodes.js';
import { type ContainerPorts, convertListener, convertTargetGroup } from './convert-routing.js';
import { convertService } from './convert-service.js';
import { isRecord } from './templates.js';
import { parseYaml, type SyntaxProblem } from './yaml-source.js';

export type { ConvertChange, NotConverted } from './convert-nodes.js';

export type ConvertResult =
  | {
      ok: true;
      /** The converted text (the input itself when nothing changed). */
      output: string;
      /** Every rewrite, in the original file's reading order. */
      changes: ConvertChange[];
      /** What was left as it was, or carried over with a caveat, in reading order. */
      notConverted: NotConverted[];
    }
  /** Not a YAML mapping: nothing to convert. */
  | { ok: false; problems: SyntaxProblem[] };

export function convertDeployment(text: string): ConvertResult {
  const source = parseYaml(text);
  if (source.syntaxProblems.length > 0) return { ok: false, problems: source.syntaxProblems };
  const data = source.data;
  if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) {
    const what =
      data === undefined || data === null ? 'empty' : Array.isArray(data) ? 'a list' : 'a single value';
    return {
      ok: false,
      problems: [
        {
          ...source.position([]),
          message: `the file is ${what}, not a mapping: a deployment file is a map with \`canary\` and \`service\``,
        },
      ],
    };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: false, prettyErrors: false });
  const ctx = new ConvertContext(doc, lineCounter);
  const root = doc.contents as YAMLMap;
  reportUnknownKeys(ctx, root, [], 'root');
  ctx.eachMap('canary', findPair(root, 'canary')?.value, (canary) => {
    reportUnknownKeys(ctx, canary, ['canary'], 'canary');
  });
  convertService(ctx, findPair(root, 'service')?.value, ['service']);
  const containers = containerPorts(data);
  ctx.items(findPair(root, 'target_groups')?.value).forEach((group, i) => {
    convertTargetGroup(ctx, group, ['target_groups', i], containers);
  });
  ctx.items(findPair(root, 'listeners')?.value).forEach((listener, i) => {
    convertListener(ctx, listener, ['listeners', i]);
  });
  const byPlace = (a: { line: number; column: number }, b: { line: number; column: number }) =>
    a.line - b.line || a.column - b.column;
  return {
    ok: true,
    output: ctx.changes.length === 0 ? text : render(doc, text),
    changes: ctx.changes.sort(byPlace),
    notConverted: ctx.notConverted.sort(byPlace),
  };
}

/** The document as text, indented as the original was, long lines left long, its line ends kept. */
function render(doc: ReturnType<typeof parseDocument>, original: string): string {
  const output = doc.toString({ ...detectIndentation(original), lineWidth: 0 });
  return original.includes('\r\n') ? output.replace(/\r?\n/g, '\r\n') : output;
}

/**
 * How the original indents: the width of its first nested map, and whether a list under a key
 * is indented (`key:\n  - a`) or not (`key:\n- a`). The library's defaults (2, indented)
 * otherwise, which would rewrite every line of a file written the other way.
 */
export function detectIndentation(text: string): {
  indent: number;
  indentSeq: boolean;
  flowCollectionPadding: boolean;
} {
  // `[a, b]` or `[ a, b ]`: as the first flow collection after a key or a dash is written.
  const flow = /(?:[:-][ \t]+)[[{](.)/.exec(text);
  const flowCollectionPadding = flow?.[1] === ' ';
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  for (const [i, line] of lines.entries()) {
    const opener = /^( *)(?:- )?[^\s#][^#]*:\s*(?:#.*)?$/.exec(line);
    const next = lines[i + 1];
    if (!opener || next === undefined) continue;
    const own = line.length - line.replace(/^[ -]*/, '').length;
    const child = /^( *)(- )?/.exec(next);
    const width = (child?.[1]?.length ?? 0) - own;
    if (child?.[2]) indentSeq ??= width > 0;
    else if (width > 0) indent ??= width;
    if (indent !== undefined && indentSeq !== undefined) break;
  }
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true, flowCollectionPadding };
}

/** Each container's name and container ports, from the file's data, for target groups given by port. */
function containerPorts(data: object): ContainerPorts[] {
  const service = (data as { service?: unknown }).service;
  const containers = (service as { containers?: unknown } | null | undefined)?.containers;
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((container: unknown) => {
    if (!isRecord(container) || typeof container.name !== 'string') return [];
    const mappings = Array.isArray(container.port_mappings) ? container.port_mappings : [];
    const ports = mappings.flatMap((mapping: unknown) =>
      isRecord(mapping) &&
      (typeof mapping.container_port === 'number' || typeof mapping.container_port === 'string')
        ? [Number(mapping.container_port)]
        : [],
    );
    return [{ name: container.name, ports }];
  });
}
