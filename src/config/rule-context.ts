/**
 * What a cross-field rule is given besides its value: a way to report at a key, and a way to
 * know which parts of its value parsed cleanly. Rules run on whatever parts are valid, so a
 * problem in one value never hides another's (every problem of the file is reported at once).
 */
import type { z } from 'zod';
import { matchedBranch } from './problems.js';

export type Context = Pick<z.core.$RefinementCtx, 'addIssue' | 'issues'>;
export type Path = (string | number)[];

export function report(ctx: Context, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message, input: undefined });
}

/** Whether the part at a path (relative to the rule's value) has no problem at or under it. */
export type IsValid = (path: Path) => boolean;

const key = (path: readonly PropertyKey[]) => path.map(String).join('\u0000');

interface IssueIndex {
  /** How many of the issues are indexed: rules add issues, and the next rule indexes only those. */
  count: number;
  /** Every path that has a problem at it or under it. */
  under: Set<string>;
  /** Every path that has a problem at it. */
  at: Set<string>;
}

// The rules of one map or list share its issues array: each indexes only what the last one has not.
const indexes = new WeakMap<readonly unknown[], IssueIndex>();

/**
 * The parts of the rule's value with no problem so far (unknown keys aside, which never make
 * a value wrong). A part is valid when no problem is at it, under it, or at one of its
 * ancestors; a rule reads a part only once it is valid: a part that is not may still be as
 * written (an untransformed one-or-many, a string where a number belongs). Indexed, so rules
 * asking about every item of a long list stay linear.
 */
export function validParts(ctx: Context): IsValid {
  const index = indexes.get(ctx.issues) ?? { count: 0, under: new Set<string>(), at: new Set<string>() };
  indexes.set(ctx.issues, index);
  for (; index.count < ctx.issues.length; index.count++) {
    const issue = ctx.issues[index.count];
    if (issue === undefined) continue;
    for (const path of effectivePaths(issue, issue.path ?? [])) {
      index.at.add(key(path));
      for (let i = 0; i <= path.length; i++) index.under.add(key(path.slice(0, i)));
    }
  }
  const { under, at } = index;
  return (path) => {
    if (under.has(key(path))) return false;
    for (let i = 0; i < path.length; i++) if (at.has(key(path.slice(0, i)))) return false;
    return true;
  };
}

/**
 * Where an issue really is: a one-or-many with one bad item is a union that failed as a
 * whole, but only that item is wrong.
 */
function effectivePaths(
  issue: z.core.$ZodRawIssue | z.core.$ZodIssue,
  path: readonly PropertyKey[],
): PropertyKey[][] {
  if (issue.code === 'unrecognized_keys') return [];
  if (issue.code === 'invalid_union') {
    const matched = matchedBranch(issue as z.core.$ZodIssueInvalidUnion);
    if (matched) return matched.flatMap((inner) => effectivePaths(inner, [...path, ...inner.path]));
  }
  return [[...path]];
}

/**
 * When a rule may run: as soon as its value has the right type (a map, a list), whatever
 * problems its parts have; the rule itself asks `validParts` which parts it may read.
 */
export const whenShaped = {
  when: (payload: z.core.ParsePayload): boolean =>
    typeof payload.value === 'object' &&
    payload.value !== null &&
    !payload.issues.some((issue) => issue.code !== 'unrecognized_keys' && (issue.path?.length ?? 0) === 0),
};

/** The items of a list that may not be one (a part with a problem of its own is left as written). */
export const itemsOf = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
