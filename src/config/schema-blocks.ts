/**
 * The building blocks of the deployment file's schema: bounded integers, formatted strings,
 * one-or-many lists, maps of names.
 */
import { z } from 'zod';

/**
 * The largest integer AWS takes for a count, a size or a duration (its APIs' 32-bit
 * `Integer`): the bound of every integer that has no smaller one of its own.
 */
export const AWS_INTEGER_MAX = 2_147_483_647;

/** An integer in a range, with the message the user sees for either bound. */
export function int(min: number, max?: number) {
  const range = max === undefined ? `must be at least ${min}` : `must be between ${min} and ${max}`;
  const tooLarge = max === undefined ? `is too large: at most ${AWS_INTEGER_MAX}` : range;
  // z.int() also bounds itself to the safe integers: say the same thing beyond them.
  return z
    .int({
      error: (issue) =>
        issue.code === 'invalid_type' ? undefined : issue.code === 'too_big' ? tooLarge : range,
    })
    .min(min, range)
    .max(max ?? AWS_INTEGER_MAX, tooLarge);
}

export const text = () => z.string().min(1, 'must not be empty');

/**
 * A string with a format. The check is skipped while a `{{region}}`/`{{account_id}}` placeholder
 * is still unrendered (offline `validate`), since the final value is not known yet.
 */
export function formatted(test: (value: string) => boolean, message: string) {
  return text().refine((value) => value.includes('{{') || test(value), message);
}
export const matches = (pattern: RegExp, message: string) =>
  formatted((value) => pattern.test(value), message);

/** One value or a list of them; always a list after parsing. */
export function oneOrMany<T extends z.ZodType<string>>(item: T, what: string) {
  return z
    .union([item, z.array(item).min(1, `must list at least one ${what}`)], {
      error: `must be a ${what} or a list of them`,
    })
    .transform((value): z.output<T>[] => (Array.isArray(value) ? value : [value]));
}

/** Values the file may write as numbers or booleans but AWS wants as strings. */
export const stringish = (message: string) =>
  z.union([z.string(), z.number(), z.boolean()], { error: message }).transform(String);

export const portNumber = () => int(1, 65535);

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
export const hostName = () =>
  formatted(
    (value) => value.length <= 253 && DNS_NAME.test(value),
    'must be a DNS name such as api.example.com',
  );

/**
 * An environment variable's or a secret's name: ECS passes any name without `=` to the
 * container as it is (`Serilog:MinimumLevel:Default`, `swagger:endpoint`: .NET, Spring and
 * others read such names), so only what the environment itself cannot hold is refused.
 */
export const envName = z
  .string()
  .min(1, 'must not be empty')
  .refine((name) => !name.includes('='), 'must not contain `=` (it ends the name in the environment)')
  .refine((name) => !name.includes('\0'), 'must not contain a NUL character');

/**
 * The JSON Schema of `schema`, as `.meta()` of a hand-checked schema, computed only when read:
 * only `ecs-crd schema` and the editors' file read it, and computing a dozen of them at start-up
 * would cost every command (validate's start-up is measured against a bare `node -e 0`).
 */
function lazyJsonSchema(schema: z.ZodType): Record<string, unknown> {
  let computed: Record<string, unknown> | undefined;
  const value = () => {
    if (computed === undefined) {
      const { $schema: _, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' });
      computed = jsonSchema;
    }
    return computed;
  };
  return new Proxy({} as Record<string, unknown>, {
    get: (_, key) => (typeof key === 'string' ? value()[key] : undefined),
    // zod asks whether metadata has an `id` when it is registered: no, without computing it.
    has: (_, key) => key !== 'id' && typeof key === 'string' && key in value(),
    ownKeys: () => Reflect.ownKeys(value()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(value(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

/**
 * A map of names to values (`environment`, `secrets`, log options). Not `z.record`, which
 * drops a key named `__proto__` without a word: here every key is kept as a key of its own and
 * checked like the others. Problems are placed as a record's are (a bad name at its key).
 */
export function nameMap<V extends z.ZodType>(name: z.ZodType<string>, value: V) {
  const jsonSchema = lazyJsonSchema(z.record(name, value));
  return z
    .unknown()
    .transform((input, ctx) => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        ctx.addIssue({ code: 'invalid_type', expected: 'record', input });
        return z.NEVER;
      }
      const entries: [string, z.output<V>][] = [];
      for (const [key, item] of Object.entries(input)) {
        const checkedKey = name.safeParse(key, { reportInput: true });
        if (!checkedKey.success) {
          ctx.addIssue({
            code: 'invalid_key',
            origin: 'record',
            issues: checkedKey.error.issues,
            input: key,
            path: [key],
          });
          continue;
        }
        const checked = value.safeParse(item, { reportInput: true });
        if (checked.success) entries.push([key, checked.data]);
        else for (const issue of checked.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] });
      }
      // fromEntries defines each key as the object's own, `__proto__` included.
      return Object.fromEntries(entries) as Record<string, z.output<V>>;
    })
    .meta(jsonSchema);
}

/**
 * A map `NAME: value`, or the original tool's list of one-key maps (`- NAME: value`): both
 * mean the same, and `normalise` makes the list a map (`flattenPairs`). Names stay unique
 * either way (`pairNamesUnique`).
 */
export function keyPairs<V extends z.ZodType>(name: z.ZodType<string>, value: V, what: string) {
  const map = nameMap(name, value);
  return z.union(
    [
      map,
      z.array(
        map.refine((item) => Object.keys(item).length === 1, 'each item must be exactly one `NAME: value`'),
      ),
    ],
    { error: `must be a map \`${what}\` (or a list of one-key maps)` },
  );
}

/** The map a `keyPairs` value means. fromEntries, not Object.assign: a `__proto__` name stays a name. */
export function flattenPairs<T>(pairs: Record<string, T> | Record<string, T>[]): Record<string, T> {
  return Array.isArray(pairs) ? Object.fromEntries(pairs.flatMap((item) => Object.entries(item))) : pairs;
}

/**
 * A value refused with what to write instead when it has a shape the original tool took
 * (`container_port: {blue, green}`) or another likely mistake (a hook's command as one string),
 * else checked by `schema`. The JSON Schema is `schema`'s.
 */
export function refusing<S extends z.ZodType>(
  schema: S,
  refused: (input: unknown) => boolean,
  message: string | ((input: unknown) => string),
) {
  const jsonSchema = lazyJsonSchema(schema);
  return z
    .unknown()
    .transform((input, ctx): z.output<S> => {
      // On a problem the value stays as written, as a failed check leaves it: rules read it so.
      if (refused(input)) {
        ctx.addIssue({
          code: 'custom',
          message: typeof message === 'string' ? message : message(input),
          input,
        });
        return input as z.output<S>;
      }
      const checked = schema.safeParse(input, { reportInput: true });
      if (checked.success) return checked.data;
      for (const issue of checked.error.issues) ctx.addIssue({ ...issue });
      return input as z.output<S>;
    })
    .meta(jsonSchema);
}
