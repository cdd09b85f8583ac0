/**
 * The `--log-file` sink: every trace line, timestamped, appended to a file only its owner can
 * read (0600), in a directory created private (0700) when missing. Writes are synchronous so
 * that a crash or a kill loses nothing already reported.
 */
import { closeSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { UsageError } from '../errors.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface LogFile {
  readonly path: string;
  /** One line per line of `text`, each `<ISO time> <LEVEL> <line>`, colours stripped. */
  write(level: LogLevel, text: string): void;
  close(): void;
}

export function openLogFile(path: string, now: () => Date = () => new Date()): LogFile {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot open the log file ${path} (${reason})`, { cause: error });
  }
  try {
    // An existing file keeps its mode on open: tighten it, since traces may name resources.
    fchmodSync(fd, 0o600);
  } catch {
    // Not ours to change (another owner): write to it as it is.
  }
  let open = true;
  return {
    path,
    write(level, text) {
      if (!open) return;
      const stamp = now().toISOString();
      const lines = stripVTControlCharacters(text)
        .split('\n')
        .map((line) => `${stamp} ${level} ${line}\n`)
        .join('');
      writeSync(fd, lines);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
