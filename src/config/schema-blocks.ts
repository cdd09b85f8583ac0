/**
 * The building blocks of the deployment file's schema: bounded integers, formatted strings,
 * one-or-many lists, and the guard that lets a cross-field rule run as soon as the values it
 * reads are valid.
 */
import { z } from 'zod';

/** An integer in a range, with the message the user sees for either bound. */
export function int(min: number, max?: number) {
  const message = max === undefined ? `must be at least ${min}` : `must be between ${min} and ${max}`;
  // z.int() also bounds itself to the safe integers: say the same thing beyond them.
  const atLeast = z
    .int({ error: (issue) => (issue.code === 'invalid_type' ? undefined : message) })
    .min(min, message);
  return max === undefined ? atLeast : atLeast.max(max, message);
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

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envName = z
  .string()
  .regex(ENV_NAME, 'must be a variable name: letters, digits and _, not starting with a digit');

/**
 * When a cross-field rule may run: as soon as the values it reads (`'*'` = any list index)
 * parsed cleanly, even when other keys did not, so every problem of the file is reported at
 * once. Any problem on a value it reads holds it back (a failed check can leave a value
 * untransformed); unknown keys never do.
 */
export function whenValid(...paths: (readonly string[])[]) {
  const overlaps = (issuePath: readonly PropertyKey[], path: readonly string[]) =>
    path.every((step, i) => issuePath[i] === undefined || step === '*' || issuePath[i] === step);
  return {
    when: (payload: z.core.ParsePayload): boolean =>
      typeof payload.value === 'object' &&
      payload.value !== null &&
      !payload.issues.some(
        (issue) =>
          issue.code !== 'unrecognized_keys' && paths.some((path) => overlaps(issue.path ?? [], path)),
      ),
  };
}
