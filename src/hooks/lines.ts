/**
 * A command hook's output as lines, as it comes: chunks are split at `\n` (a `\r` before it is
 * dropped), the last line is flushed even without its newline, and a line longer than
 * `MAX_LINE` characters is cut there, since one event per megabyte of minified JSON would only
 * bury the log.
 */

/** The longest line passed on, in characters (8 KiB of ASCII). */
export const MAX_LINE = 8192;

/** Marks a line that was cut at `MAX_LINE`. */
export const CUT_MARK = ' […cut]';

export interface LineSplitter {
  /** Takes a decoded chunk; calls the sink once per complete line. */
  push(chunk: string): void;
  /** The last line, if it had no newline. */
  end(): void;
}

export function lineSplitter(sink: (line: string) => void): LineSplitter {
  let pending = '';
  // Set once the current line was cut: the rest of it, up to its newline, is dropped.
  let skipping = false;
  const emit = (line: string) => sink(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    push(chunk) {
      let rest = chunk;
      for (let newline = rest.indexOf('\n'); newline >= 0; newline = rest.indexOf('\n')) {
        const line = pending + rest.slice(0, newline);
        rest = rest.slice(newline + 1);
        pending = '';
        if (skipping) skipping = false;
        else if (line.length > MAX_LINE) emit(line.slice(0, MAX_LINE) + CUT_MARK);
        else emit(line);
      }
      if (skipping) return;
      pending += rest;
      if (pending.length > MAX_LINE) {
        emit(pending.slice(0, MAX_LINE) + CUT_MARK);
        pending = '';
        skipping = true;
      }
    },
    end() {
      if (pending.length > 0) emit(pending);
      pending = '';
      skipping = false;
    },
  };
}
