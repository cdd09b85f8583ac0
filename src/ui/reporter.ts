/**
 * Where a command's events go. The domain only emits; this picks the rendering for the run: the live view on a terminal, plain timestamped lines
 * elsewhere, nothing under `--json` (the command prints one result document at the end). Every
 * event, engine output included, also goes to the `--log-file` when there is one. Progress
 * goes to stderr only: stdout is kept for the result.
 */
import type { EventSink } from '../canary/events.js';
import { assertNever } from '../errors.js';
import { colorEnabled } from './format.js';
import { createLiveView } from './live-terminal.js';
import type { LogFile } from './log-file.js';
import { eventLines, LOG_LEVEL, plainLines } from './plain.js';

/** What every command's domain call takes to report: one event at a time. */
export type Reporter = EventSink;

/** `tty`: the live view; `plain`: one line per event; `json`: silent until the result. */
export type ReporterMode = 'tty' | 'plain' | 'json';

/** The part of a `Writable` (`process.stderr`) the reporters use. */
export interface OutputStream {
  write(chunk: string): unknown;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
  readonly isTTY?: boolean;
}

export interface ReporterOptions {
  mode: ReporterMode;
  /** `--verbose`: debug events too (engine operations, every observation, countdown ticks off a TTY). */
  verbose: boolean;
  /** Where progress goes: the process's stderr. */
  stderr: OutputStream;
  /** `--log-file`: receives every event, whatever the mode. Its owner closes it. */
  logFile?: LogFile;
  /** Epoch milliseconds, for timestamps and the countdown; default `Date.now`. */
  now?: () => number;
  /** Colours in the live view; default: on unless `NO_COLOR` is set. Plain lines never have any. */
  color?: boolean;
}

/** A reporter for one run, and the way to end it. */
export interface ReporterSession {
  readonly report: Reporter;
  /**
   * Stops the live view's timers and erases its block. Call it when the rollout returns or
   * throws, before printing the result, so the result lands below the permanent lines.
   */
  close(): void;
}

/** Builds the reporter of a run; see `chooseReporterMode` for the mode. */
export function createReporter(options: ReporterOptions): ReporterSession {
  const { verbose, stderr, logFile } = options;
  const now = options.now ?? Date.now;
  const display = displayFor(options.mode, { stderr, verbose, now, color: options.color ?? colorEnabled() });
  return {
    report(event) {
      // The log first: should the display throw, the trace still holds the event.
      logFile?.write(LOG_LEVEL[event.level], eventLines(event, true).join('\n'));
      display.report(event);
    },
    close: () => display.close(),
  };
}

/**
 * The mode for a run: `json` with `--json`; the live view when stderr is a terminal that can
 * move its cursor; plain lines otherwise (a pipe, a CI log, `TERM=dumb`).
 */
export function chooseReporterMode(options: {
  json: boolean;
  stderr: OutputStream;
  env?: NodeJS.ProcessEnv;
}): ReporterMode {
  if (options.json) return 'json';
  const env = options.env ?? process.env;
  return options.stderr.isTTY === true && env.TERM !== 'dumb' ? 'tty' : 'plain';
}

function displayFor(
  mode: ReporterMode,
  options: { stderr: OutputStream; verbose: boolean; now: () => number; color: boolean },
): ReporterSession {
  const { stderr, verbose, now } = options;
  switch (mode) {
    case 'tty':
      return createLiveView({ stream: stderr, verbose, color: options.color, now });
    case 'plain':
      return {
        report(event) {
          const lines = plainLines(event, now(), verbose);
          if (lines.length > 0) stderr.write(`${lines.join('\n')}\n`);
        },
        close() {},
      };
    case 'json':
      return { report() {}, close() {} };
    default:
      return assertNever(mode);
  }
}
