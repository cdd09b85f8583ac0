import { ExitCode } from './exit-codes.js';

/** Who has to act: the user (bad input, a locked stack) or the system (a bug, an outage). */
export type ErrorSource = 'user' | 'system';

/**
 * The root of every error ecs-crd raises on purpose. Commands render `message` (and `hint`)
 * without a stack trace; only `--verbose` shows the cause chain.
 */
export class EcsCrdError extends Error {
  readonly exitCode: ExitCode;
  readonly source: ErrorSource;
  readonly hint: string | undefined;

  constructor(
    message: string,
    options: { exitCode?: ExitCode; source?: ErrorSource; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.Unexpected;
    this.source = options.source ?? 'system';
    this.hint = options.hint;
  }
}

/** Bad flags, a bad deployment file, an AWS account that does not match it: exit 2. */
export class UsageError extends EcsCrdError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: ExitCode.Usage, source: 'user' });
  }
}

/** Another deployment holds the stack's lock: exit 5. */
export class StackLockedError extends EcsCrdError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: ExitCode.Locked, source: 'user' });
  }
}

/** The candidate failed and traffic is back on the stable release: exit 3. */
export class RolledBackError extends EcsCrdError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: ExitCode.RolledBack, source: 'user' });
  }
}

/** The rollback itself failed: exit 4, with what to do by hand in `hint`. */
export class RollbackFailedError extends EcsCrdError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: ExitCode.RollbackFailed, source: 'system' });
  }
}

/** Ctrl-C / SIGTERM ended the deployment: exit 130. */
export class InterruptedError extends EcsCrdError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: ExitCode.Interrupted, source: 'user' });
  }
}
