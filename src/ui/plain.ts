/**
 * The plain rendering of events: one line per event, `<ISO time> <LEVEL> <code>  <text>`,
 * for a stderr that is not a terminal (CI logs, pipes). The `--log-file` lines share the
 * `<code>  <text>` body, so a log and a CI transcript read the same. Pure: no stream, no clock.
 */
import type { EventLevel, ProgressEvent } from '../canary/events.js';
import { checkLine } from './live-analysis.js';
import type { LogLevel } from './log-file.js';
import { redact } from './redact.js';

/** The upper-case level of the log file, also used in plain lines. */
export const LOG_LEVEL: Record<EventLevel, LogLevel> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

/** Debug events (engine output, countdown ticks, repeated observations) only with `--verbose`. */
export function isShown(event: ProgressEvent, verbose: boolean): boolean {
  return verbose || event.level !== 'debug';
}

/**
 * The bodies of an event's lines, redacted: `<code>  <text>`, one per line of the text, then,
 * with `detail`, what the data holds beyond the text (the plan, the properties an update
 * changes).
 */
export function eventLines(event: ProgressEvent, detail: boolean): string[] {
  const lines = event.text.split('\n').map((line) => `${event.code}  ${line}`);
  if (detail) lines.push(...detailLines(event).map((line) => `${event.code}    ${line}`));
  return lines.map(redact);
}

/**
 * The lines of one event off a terminal; none for a debug event without `verbose`, and the
 * details only with it (the log file keeps them either way).
 */
export function plainLines(event: ProgressEvent, at: number, verbose: boolean): string[] {
  if (!isShown(event, verbose)) return [];
  const prefix = `${new Date(at).toISOString()} ${LOG_LEVEL[event.level].padEnd(5)} `;
  return eventLines(event, verbose).map((line) => `${prefix}${line}`);
}

function detailLines(event: ProgressEvent): string[] {
  switch (event.code) {
    case 'rollout.started':
      return event.data.plan.map((entry) => {
        const hooks = entry.hooks.length > 0 ? `; hooks ${entry.hooks.join(', ')}` : '';
        return `step ${entry.number}: ${entry.label} (candidate ${entry.weights.candidate} %, wait ${entry.waitS} s${hooks})`;
      });
    case 'engine.event': {
      const diffs = event.data.diffs ?? [];
      return diffs.length > 0 ? [`changes: ${diffs.join(', ')}`] : [];
    }
    case 'recovery.started':
      return event.data.steps.map((step, index) => `step ${index + 1}: ${step}`);
    // The text has both releases' figures; the checks one by one, with their limits.
    case 'analysis.window':
      return event.data.checks.map(checkLine);
    default:
      // The other events' data is what their text already says.
      return [];
  }
}
