/**
 * The only I/O of config: find the deployment file (`-f`, or `<environment>.deploy.yml` in
 * `-d`, default the current directory), read it, and hand its text to `checkDeployment`.
 */
import { access, open } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckResult, checkDeployment } from './check.js';
import { DeploymentFileError, InvalidDeploymentError } from './errors.js';
import type { TemplateInputs } from './templates.js';
import type { ConfigProblem, DeploymentConfig, EnvironmentName } from './types.js';

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

/**
 * The largest deployment file read. A file describes one service: its containers become one
 * ECS task definition, which AWS caps at 64 KiB, and the rest (steps, target groups,
 * listeners) is a few KiB more; the largest real files are a few KiB. 1 MiB leaves room for
 * any amount of comments and shared blocks, and keeps the check of any file under a second.
 */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads and checks the file. Throws `DeploymentFileError` when it cannot be read or is larger
 * than `MAX_FILE_BYTES` (never read whole: a path to a huge file or a device costs nothing).
 */
export async function loadDeployment(options: LoadOptions): Promise<CheckResult> {
  if (options.file === '') {
    throw new DeploymentFileError('', '-f/--file needs the path of a deployment file', {
      hint: `pass -f FILE, or -d DIR for a directory holding ${options.environment}.deploy.yml`,
    });
  }
  const file = deploymentFilePath(options);
  let bytes: Buffer;
  try {
    bytes = await readAtMost(file, MAX_FILE_BYTES + 1);
  } catch (error) {
    throw await unreadable(file, options, error);
  }
  if (bytes.length > MAX_FILE_BYTES) {
    throw new DeploymentFileError(
      file,
      `${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB: a deployment file describes one service and is a few KiB (its task definition alone may not exceed 64 KiB)`,
      { hint: 'check that -f names the deployment file, and move large shared blocks out of it' },
    );
  }
  return checkDeployment(bytes.toString('utf8'), { ...options, file });
}

async function readAtMost(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await handle.read(buffer, length, limit - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** A file that passed: its config, and what is valid but probably a mistake (shown, never fatal). */
export interface ValidDeployment {
  file: string;
  config: DeploymentConfig;
  warnings: ConfigProblem[];
}

/** For commands that need a valid file to go on: the config and its warnings, or `InvalidDeploymentError`. */
export async function requireDeployment(options: LoadOptions): Promise<ValidDeployment> {
  const result = await loadDeployment(options);
  if (!result.ok) throw new InvalidDeploymentError(result.file, result.problems);
  return { file: result.file, config: result.config, warnings: result.warnings ?? [] };
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
