/**
 * The files of `ecs-crd convert`: the original file read (as `validate` reads one: at most
 * `MAX_FILE_BYTES`), and the converted text written either over it, atomically and with a
 * backup, or to a new file that is never silently overwritten.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { DeploymentFileError } from './errors.js';
import { MAX_FILE_BYTES } from './load.js';

export async function readOriginal(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (info.isDirectory())
      throw new DeploymentFileError(file, `${file} is a directory, not a deployment file`);
    if (info.size > MAX_FILE_BYTES)
      throw new DeploymentFileError(
        file,
        `${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB: a deployment file describes one service and is a few KiB`,
      );
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof DeploymentFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new DeploymentFileError(file, `cannot read ${file}: ${reason}`, { cause: error });
  }
}

/** The permission bits of `file`, which its replacement keeps. */
async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o7777;
}

/**
 * Replaces `file` with `text` atomically: a temporary file beside it (same file system, so the
 * rename is atomic), with the original's mode, renamed over it; a reader sees the old file or
 * the new one, never half of one. Through a symbolic link, the file it points to is replaced
 * and the link kept. With `backup`, the original is first copied to `FILE.bak`.
 */
export async function replaceFile(file: string, text: string, options: { backup: boolean }): Promise<void> {
  const target = await realpath(file);
  const mode = await modeOf(target);
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, text, { flag: 'wx', mode });
    // The umask may have narrowed the mode given at creation.
    await chmod(temp, mode);
    if (options.backup) await copyFile(target, `${file}.bak`);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes `text` to `out`, with the mode of `from`; an existing `out` is refused unless `force`. */
export async function writeNewFile(
  out: string,
  text: string,
  options: { force: boolean; from: string },
): Promise<void> {
  const mode = await modeOf(options.from);
  try {
    await writeFile(out, text, { flag: options.force ? 'w' : 'wx', mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`${out} already exists: nothing was written`, {
        hint: 'pass --force to overwrite it, or choose another -o',
      });
    throw error;
  }
}
