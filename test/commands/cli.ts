/**
 * Runs the built CLI (`bin/run.js` on dist/) as a user would: a child process, its exit code,
 * stdout and stderr. `npm test` builds first; alone, run `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The signal that ended the child: SIGTERM when it outlived `timeout`. */
  signal: NodeJS.Signals | null;
}

export function requireBuild(): void {
  if (!existsSync(new URL('../../dist/src/commands/validate.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` before the command tests');
  }
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; nodeOptions?: string[]; timeout?: number } = {},
): CliResult {
  // No region or account from the developer's shell: each test sets what it needs.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
    NODE_OPTIONS: '',
    ...options.env,
  };
  const run = spawnSync(process.execPath, [...(options.nodeOptions ?? []), BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env,
    encoding: 'utf8',
    // A command that hangs must fail its test, not stall the whole run.
    timeout: options.timeout ?? 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, signal: run.signal };
}
