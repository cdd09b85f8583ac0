/**
 * The `--log-file` sink: every trace line, timestamped, appended to a file only its owner can
 * read (0600), in a folder created private (0700) when missing. Writes are synchronous so that
 * a crash or a kill loses nothing already reported.
 *
 * The log is secondary to the command: once it is open, a failing write (a full disk) warns
 * once and stops the log; the command goes on with its own output and exit code.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  openSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { UsageError } from '../errors.js';
import { makePrivateDirs } from '../private-dirs.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface LogFile {
  readonly path: string;
  /** One line per line of `text`, each `<ISO time> <LEVEL> <line>`, colours stripped. */
  write(level: LogLevel, text: string): void;
  close(): void;
}

/**
 * Opens `path` for appending. What it may be:
 * - a regular file: created 0600, or tightened to 0600 when it exists (traces name resources);
 * - a character device (`/dev/null`, a terminal) or a pipe someone reads: written as it is, its
 *   mode never changed: it is not ours (as root, `chmod 0600 /dev/null` breaks every other user);
 * - anything else (a folder, a block device, a socket, a FIFO nobody reads): refused, a usage
 *   error, rather than overwriting a disk or waiting forever for a reader.
 * `warn` receives the one warning of a write that failed.
 */
export function openLogFile(
  path: string,
  now: () => Date = () => new Date(),
  warn: (message: string) => void = (message) => process.stderr.write(`Warning: ${message}\n`),
): LogFile {
  if (path.trim() === '') throw new UsageError('--log-file needs the path of a file to write');
  ensureFolder(dirname(resolve(path)), path);
  const fd = openTarget(path);
  let open = true;
  const stop = () => {
    if (!open) return;
    open = false;
    try {
      closeSync(fd);
    } catch {
      // Closing is all that is left to do: nothing more can be lost.
    }
  };
  return {
    path,
    write(level, text) {
      if (!open) return;
      const stamp = now().toISOString();
      const lines = stripVTControlCharacters(text)
        .split('\n')
        .map((line) => `${stamp} ${level} ${line}\n`)
        .join('');
      try {
        writeAll(fd, Buffer.from(lines));
      } catch (error) {
        stop();
        warn(`could not write the log file ${path}: ${reasonOf(error)}; the log stops here`);
      }
    },
    close: stop,
  };
}

/** Creates the missing folders above the file, 0700 (see makePrivateDirs). */
function ensureFolder(folder: string, path: string): void {
  try {
    makePrivateDirs(folder);
  } catch (error) {
    const at = (error as NodeJS.ErrnoException).path ?? folder;
    if (codeOf(error) === 'ENOTDIR') throw cannotOpen(path, `${at} is not a folder`);
    throw cannotOpen(path, `cannot create the folder ${at}: ${reasonOf(error)}`, error);
  }
}

function openTarget(path: string): number {
  const before = statOf(path, path);
  if (before) refuseUnfit(before, path);
  let fd: number;
  try {
    // A FIFO nobody reads would block the open forever: the non-blocking probe fails at once
    // instead (ENXIO), and once it has succeeded the real open finds a reader and returns.
    if (before?.isFIFO()) closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    throw cannotOpen(path, reasonOf(error), error);
  }
  // Checked on what was opened, not on the name: the file may have changed in between.
  const opened = fstatSync(fd);
  if (opened.isFile() && (opened.mode & 0o777) !== 0o600) {
    try {
      fchmodSync(fd, 0o600);
    } catch {
      // Not ours to change (another owner): write to it as it is.
    }
  }
  return fd;
}

function refuseUnfit(stats: Stats, path: string): void {
  if (stats.isDirectory()) throw cannotOpen(path, 'it is a folder');
  if (stats.isBlockDevice()) throw cannotOpen(path, 'it is a block device: writing would overwrite it');
  if (stats.isSocket()) throw cannotOpen(path, 'it is a socket');
}

function writeAll(fd: number, bytes: Buffer): void {
  let rest = bytes;
  while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest));
}

/** The stats of `at`, undefined when nothing is there. */
function statOf(at: string, path: string): Stats | undefined {
  try {
    return statSync(at, { throwIfNoEntry: false });
  } catch (error) {
    throw cannotOpen(path, `${at}: ${reasonOf(error)}`, error);
  }
}

function cannotOpen(path: string, reason: string, cause?: unknown): UsageError {
  return new UsageError(`cannot open the log file ${path} (${reason})`, cause === undefined ? {} : { cause });
}

/** Why a file-system call failed, in words where the code is a common one. */
function reasonOf(error: unknown): string {
  const code = codeOf(error);
  return (code && REASONS[code]) ?? code ?? String(error);
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EPIPE: 'nobody reads it any more',
  ENXIO: 'nobody reads it',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
};

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
