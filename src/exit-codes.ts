/**
 * The one table of exit codes (SPEC §1). Part of the interface: documented in `--help`
 * and the README, and a test keeps all three in step.
 */
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
  5: 'the stack is locked by another deployment',
  130: 'interrupted (the deployment was rolled back or left marked interrupted)',
};

/** The table as help text, one line per code. */
export function exitCodeHelp(): string {
  return Object.entries(EXIT_CODE_MEANINGS)
    .map(([code, meaning]) => `  ${code.padStart(3)}  ${meaning}`)
    .join('\n');
}
