/**
 * The only I/O of config: find the deployment file (`-f`, or `<environment>.deploy.yml` in
 * `-d`, default the current directory), read it, and hand its text to `checkDeployment`.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckResult, checkDeployment } from './check.js';
import { DeploymentFileError, InvalidDeploymentError } from './errors.js';
import type { TemplateInputs } from './templates.js';
import type { DeploymentConfig, EnvironmentName } from './types.js';

export interface LocateOptions {
  environment: EnvironmentName;
  /** `-f`: wins over `dir`. */
  file?: string | undefined;
  /** `-d`: where `<environment>.deploy.yml` is looked for. Default: the current directory. */
  dir?: string | undefined;
}

export type LoadOptions = LocateOptions & TemplateInputs;

/** The path to read, as the user will see it in every message (relative stays relative). */
export function deploymentFilePath({ environment, file, dir }: LocateOptions): string {
  return file ?? join(dir ?? '.', `${environment}.deploy.yml`);
}

/** Reads and checks the file. Throws `DeploymentFileError` only when it cannot be read. */
export async function loadDeployment(options: LoadOptions): Promise<CheckResult> {
  const file = deploymentFilePath(options);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw await unreadable(file, options, error);
  }
  return checkDeployment(text, { ...options, file });
}

/** For commands that need a valid file to go on: the config, or `InvalidDeploymentError`. */
export async function requireDeployment(
  options: LoadOptions,
): Promise<{ file: string; config: DeploymentConfig }> {
  const result = await loadDeployment(options);
  if (!result.ok) throw new InvalidDeploymentError(result.file, result.problems);
  return result;
}

async function unreadable(
  file: string,
  options: LocateOptions,
  error: unknown,
): Promise<DeploymentFileError> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const yaml = file.replace(/\.yml$/, '.yaml');
    const hint =
      yaml !== file && (await exists(yaml))
        ? `found ${yaml}: rename it to ${file}, or pass -f ${yaml}`
        : options.file === undefined
          ? `pass -f FILE, or -d DIR for a directory holding ${options.environment}.deploy.yml`
          : undefined;
    return new DeploymentFileError(file, `no deployment file at ${file}`, { hint, cause: error });
  }
  if (code === 'EISDIR') {
    return new DeploymentFileError(file, `${file} is a directory, not a deployment file`, {
      hint: `pass it as -d ${file} to use ${join(file, `${options.environment}.deploy.yml`)}`,
      cause: error,
    });
  }
  const reason =
    code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
  return new DeploymentFileError(file, `cannot read ${file}: ${reason}`, { cause: error });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
