/**
 * The report's recorder: an event sink that keeps the run's events, each with its time, while
 * passing every one on to the reporter unchanged. The engine's own events and output are left
 * out (the report is about the rollout, and they are the bulk of a run). What it keeps is
 * redacted string by string, since it is written to disk and into a page that gets shared.
 * Pure: the clock is given.
 */
import type { EventSink, ProgressEvent } from '../canary/events.js';
import { redact } from './redact.js';
import type { TimedEvent } from './report-data.js';

export interface EventRecorder {
  /** Pass this to the run: it records, then hands each event to the reporter it wraps. */
  readonly sink: EventSink;
  /** What was recorded so far, oldest first. */
  events(): TimedEvent[];
}

const LEFT_OUT: ReadonlySet<ProgressEvent['code']> = new Set(['engine.event', 'engine.output']);

export function recordEvents(next: EventSink, now: () => number = Date.now): EventRecorder {
  const kept: TimedEvent[] = [];
  return {
    sink(event) {
      if (!LEFT_OUT.has(event.code)) kept.push({ ...redactDeep(event), time: now() });
      next(event);
    },
    events: () => [...kept],
  };
}

/** `value` with every string in it redacted: a plain-data copy (events are plain data). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item)])) as T;
  }
  return value;
}
