/**
 * The one table of exit codes, and the one mapping from errors and outcomes to it. Part of the
 * interface: documented in `--help` and the README, and a test keeps all three in step.
 */
import type { RolloutOutcome } from './canary/ports/stack.js';
import { assertNever, RollbackFailedError, StackLockedError, UsageError } from './errors.js';

export const ExitCode = {
  Success: 0,
  Unexpected: 1,
  Usage: 2,
  RolledBack: 3,
  RollbackFailed: 4,
  Locked: 5,
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each code means, in the words used by `--help` and the README. */
export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'success',
  1: 'unexpected error',
  2: 'invalid usage or configuration',
  3: 'deployment failed and was rolled back (the stable release serves 100 %)',
  4: 'rollback failed: manual action needed (instructions are printed)',
  5: 'the stack is locked by another run, or the last deployment did not finish (run `ecs-crd rollback`)',
  130: 'interrupted (the deployment was rolled back or left marked interrupted)',
};

/**
 * The exit code a command ends with when `error` escapes it. An error oclif raised while
 * parsing flags and arguments (it carries `oclif.exit`) is bad usage; anything unknown is a
 * bug: 1.
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.Usage;
  if (error instanceof StackLockedError) return ExitCode.Locked;
  if (error instanceof RollbackFailedError) return ExitCode.RollbackFailed;
  if (isOclifError(error)) return ExitCode.Usage;
  return ExitCode.Unexpected;
}

/** The exit code of a `deploy` run that ended with `outcome`. */
export function exitCodeOfOutcome(outcome: RolloutOutcome): ExitCode {
  switch (outcome) {
    case 'deployed':
    case 'paused':
      return ExitCode.Success;
    case 'rolled_back':
      return ExitCode.RolledBack;
    case 'rollback_failed':
      return ExitCode.RollbackFailed;
    case 'interrupted':
      return ExitCode.Interrupted;
    default:
      return assertNever(outcome);
  }
}

/** An error oclif raised itself (flag parsing, a flag's own parse function). */
export function isOclifError(error: unknown): boolean {
  return typeof (error as { oclif?: { exit?: unknown } } | null)?.oclif?.exit === 'number';
}
