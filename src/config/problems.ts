/**
 * From zod's issues to the user's problems: one per thing to fix, in the file's words
 * (`must be between 1 and 100`, `unknown key `scal`: did you mean `scale`?`), at a key path.
 */
import { z } from 'zod';
import { didYouMean } from './suggest.js';
import type { ConfigProblem } from './types.js';
import type { KeyPath } from './yaml-source.js';

/** A problem before it is placed in the file. */
export interface PathProblem {
  path: KeyPath;
  message: string;
}

/** `canary.strategy[1].weight`; a key that is not a plain word is quoted: `environment["MY VAR"]`. */
export function formatPath(path: KeyPath): string {
  return path
    .map((step, i) => {
      if (typeof step === 'number') return `[${step}]`;
      if (!/^[A-Za-z0-9_-]+$/.test(step)) return `[${JSON.stringify(step)}]`;
      return i === 0 ? step : `.${step}`;
    })
    .join('');
}

/** `FILE:LINE:COL PATH: MESSAGE`, the line `validate` prints (and editors can jump to). */
export function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path ? `${where} ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/**
 * How many problems are shown: the first ones in reading order, enough to work on; a file
 * with thousands of problems (a wrong file, a generated one) is summed up, not printed whole.
 */
export const MAX_PROBLEMS_SHOWN = 50;

/** `… and 3,912 more problems (3,962 in all)`, or undefined when every problem is shown. */
export function moreProblems(total: number, shown = MAX_PROBLEMS_SHOWN): string | undefined {
  if (total <= shown) return undefined;
  const count = (n: number) => n.toLocaleString('en-US');
  const more = total - shown;
  return `… and ${count(more)} more problem${more === 1 ? '' : 's'} (${count(total)} in all)`;
}

/**
 * Problems in reading order, one per key path: the first found is the root cause (a template
 * error makes the value fail its format too). Problems without a path (YAML syntax) all stay.
 */
export function orderProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => p.path === '' || (!seen.has(p.path) && seen.add(p.path)))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

interface IssueContext {
  /** The schema that produced the issues, to name the keys allowed where an unknown one is. */
  schema: z.ZodType;
  /** The scalar at a path as written in the file (`1.10`), to show what to quote. */
  sourceText(path: KeyPath): string | undefined;
}

export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  context: IssueContext,
): PathProblem[] {
  return issues.flatMap((issue) => fromIssue(issue, [], context));
}

function fromIssue(issue: z.core.$ZodIssue, prefix: KeyPath, context: IssueContext): PathProblem[] {
  const path = [...prefix, ...issue.path.map((step) => (typeof step === 'number' ? step : String(step)))];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(context.schema, path);
      return issue.keys.map((key) => {
        const hint = didYouMean(key, allowed);
        return {
          path: [...path, key],
          message: `unknown key \`${key}\`${hint ? `: ${hint}` : ` (allowed: ${allowed.join(', ')})`}`,
        };
      });
    }
    case 'invalid_union': {
      if (issue.input === undefined) return [{ path, message: 'is required' }];
      const matched = matchedBranch(issue);
      return matched
        ? matched.flatMap((inner) => fromIssue(inner, path, context))
        : [{ path, message: issue.message }];
    }
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.flatMap((inner) => fromIssue(inner, path, context));
    case 'invalid_type':
      return [{ path, message: typeMessage(issue, context.sourceText(path)) }];
    case 'invalid_value': {
      const options = issue.values.map((v) => `\`${String(v)}\``).join(', ');
      const hint = typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.map(String)) : '';
      return [{ path, message: `must be one of ${options}${hint ? `: ${hint}` : ''}` }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/**
 * The branch of a failed union whose type matched the value: it holds the real problem (e.g. a
 * list of DNS names with one bad name). None when no branch matched: then the union's own
 * message says what fits.
 */
export function matchedBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  return issue.errors.find(
    (branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
};

function typeMessage(issue: z.core.$ZodIssueInvalidType, written: string | undefined): string {
  const expected = EXPECTED[issue.expected] ?? issue.expected;
  const input = issue.input;
  if (input === undefined) return 'is required';
  if (issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    // 1.10 unquoted is the number 1.1, `yes` may be read as a boolean: only quotes keep the text.
    const text = written ?? String(input);
    const reread = text === String(input) ? '' : ` (unquoted, YAML reads ${text} as ${String(input)})`;
    return `must be a string: write it in quotes, "${text}"${reread}`;
  }
  return `must be ${expected}, not ${describe(input, issue, written)}`;
}

function describe(input: unknown, issue: z.core.$ZodIssueInvalidType, written: string | undefined): string {
  // `.inf` and `.nan` are reported with input null (or the number itself) and the value in `received`.
  const received = (issue as { received?: unknown }).received;
  const special = typeof input === 'number' ? String(input) : received;
  if (special === 'Infinity' || special === '-Infinity') return `${written ?? '.inf'} (infinity)`;
  if (special === 'NaN') return `${written ?? '.nan'} (not a number)`;
  if (input === null) return typeof received === 'string' ? received : 'empty';
  if (typeof input === 'string')
    return `the string "${input.length > 40 ? `${input.slice(0, 37)}...` : input}"`;
  if (typeof input === 'number') return `the number ${input}`;
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a map';
  return String(input);
}

/** The keys the schema allows for the map at `path` (unions: any of their object branches). */
function allowedKeys(schema: z.ZodType, path: KeyPath): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((object) => Object.keys(object.shape)))];
}

function objectsAt(schema: z.ZodType, path: KeyPath): z.ZodObject[] {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNullable
  ) {
    return objectsAt(schema.unwrap() as z.ZodType, path);
  }
  if (schema instanceof z.ZodPipe) return objectsAt(schema.in as z.ZodType, path);
  if (schema instanceof z.ZodUnion)
    return schema.options.flatMap((option) => objectsAt(option as z.ZodType, path));
  const [step, ...rest] = path;
  if (step === undefined) return schema instanceof z.ZodObject ? [schema] : [];
  if (schema instanceof z.ZodObject) {
    const child = schema.shape[String(step)] as z.ZodType | undefined;
    return child ? objectsAt(child, rest) : [];
  }
  if (schema instanceof z.ZodArray) return objectsAt(schema.element as z.ZodType, rest);
  if (schema instanceof z.ZodRecord) return objectsAt(schema.valueType as z.ZodType, rest);
  return [];
}
