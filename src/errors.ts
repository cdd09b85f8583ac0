/**
 * The one error hierarchy. Commands render `message` (and `hint`) without a stack trace; only
 * `--verbose` shows the cause chain. Which exit code each class ends with is decided in one
 * place, `exitCodeOf` in exit-codes.ts.
 */

/** The root of every error ecs-crd raises on purpose. */
export class EcsCrdError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad flags, a bad deployment file, an AWS account that does not match it. */
export class UsageError extends EcsCrdError {}

/** Another run holds the stack, or the last deployment did not finish: nothing may start. */
export class StackLockedError extends EcsCrdError {}

/** The rollback itself failed: what to do by hand is in `hint`. */
export class RollbackFailedError extends EcsCrdError {}

/** Exhaustiveness guard for switches over the project's unions. */
export function assertNever(value: never): never {
  throw new EcsCrdError(`internal error: unexpected value ${JSON.stringify(value)}`);
}
