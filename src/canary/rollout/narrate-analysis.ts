/**
 * What the analysis says: the events of judged windows, alarms and unreadable CloudWatch.
 * Pure, like ./narrate.ts.
 */
import { type ProgressEvent, progressEvent } from '../events.js';
import type { AlarmState } from '../ports/analysis.js';
import type { WindowRecord } from './types.js';

/** One judged window: a failing one is a warning, the others news. */
export function windowEvent(record: WindowRecord): ProgressEvent {
  const share =
    record.observedShare === null
      ? `no requests, ${record.declaredWeight} % declared`
      : `candidate share ${record.observedShare} %, ${record.declaredWeight} % declared`;
  const tolerated =
    record.verdict === 'fail' && record.failures <= record.failureLimit
      ? `; failing window ${record.failures} of ${record.failureLimit} tolerated`
      : '';
  return progressEvent(
    'analysis.window',
    record.verdict === 'fail' ? 'warn' : 'info',
    `Analysis: ${record.verdict}: ${record.reason} (${share}${tolerated})`,
    record,
  );
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
