/**
 * What the analysis says: the events of judged windows, alarms and unreadable CloudWatch.
 * Pure, like ./narrate.ts.
 */

import { errorRate, formatMs, formatPercent } from '../analysis.js';
import { type ProgressEvent, progressEvent } from '../events.js';
import type { AlarmState, ReleaseMetrics } from '../ports/analysis.js';
import type { WindowRecord } from './types.js';

/**
 * One judged window, with both releases' numbers: a failing one is a warning, the others news.
 * `Analysis pass: 2 checks held in window 12:01:10–12:01:20 · candidate 100 req, 5xx 0.2 %,
 * p99 120 ms · stable 900 req, 5xx 0.1 %, p99 110 ms · share 10 % of 10 % declared`.
 */
export function windowEvent(record: WindowRecord): ProgressEvent {
  const share = record.observedShare === null ? 'no requests' : `share ${record.observedShare} %`;
  const tolerated =
    record.verdict === 'fail' && record.failures <= record.failureLimit
      ? ` · failing window ${record.failures} of ${record.failureLimit} tolerated`
      : '';
  const parts = [
    `Analysis ${record.verdict}: ${record.reason}`,
    `candidate ${releaseFigures(record.candidate)}`,
    ...(record.stable ? [`stable ${releaseFigures(record.stable)}`] : []),
    `${share} of ${record.declaredWeight} % declared${tolerated}`,
  ];
  return progressEvent(
    'analysis.window',
    record.verdict === 'fail' ? 'warn' : 'info',
    parts.join(' · '),
    record,
  );
}

/** `100 req, 5xx 0.2 %, p99 120 ms`. */
function releaseFigures(metrics: ReleaseMetrics): string {
  const rate = errorRate(metrics, true);
  return [
    `${metrics.requests} req`,
    `5xx ${rate === null ? '–' : formatPercent(rate)}`,
    `p99 ${metrics.p99Ms === null ? '–' : formatMs(metrics.p99Ms)}`,
  ].join(', ');
}

/** A named alarm changed state (or was found not OK at the first look). */
export function alarmEvent(
  name: string,
  state: AlarmState | null,
  previous: AlarmState | null,
): ProgressEvent {
  const was = previous === null ? '' : ` (was ${previous})`;
  const text = state === null ? `Alarm ${name} no longer exists${was}` : `Alarm ${name} is ${state}${was}`;
  return progressEvent('analysis.alarm', state === 'OK' ? 'info' : 'warn', text, { name, state, previous });
}

/** CloudWatch could not be read: no verdict. `start`/`end` are the window's (the moment, for alarms). */
export function analysisProbeFailedEvent(error: string, start: number, end: number): ProgressEvent {
  return progressEvent('analysis.probe-failed', 'warn', `Could not read CloudWatch: ${error}`, {
    error,
    start,
    end,
  });
}
