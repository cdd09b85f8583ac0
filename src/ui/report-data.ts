/**
 * What a deployment report is rendered from, and the series the page draws, read off the run's
 * events: the declared weight over time, each health observation, each analysis window, the
 * steps with their times. The same data is kept as JSON after every deployment, so `history
 * --report` renders a past run exactly as `deploy --report` did. Pure.
 */
import type { ProgressEvent, ProgressEventOf } from '../canary/events.js';
import type { TimelineEntry } from '../canary/plan.js';
import type { DeployDocument } from './documents.js';

/** An event as the run emitted it, with when (epoch milliseconds). */
export type TimedEvent = ProgressEvent & { readonly time: number };

export interface ReportIdentity {
  project: string;
  /** The service name. */
  name: string;
  environment: string;
  region: string;
}

export interface ReportData {
  /** `deploy --json`'s document; null when the run ended in an error instead (exit 1). */
  document: DeployDocument | null;
  identity: ReportIdentity;
  /** The Pulumi stack. */
  stack: string;
  /** The run's events (engine events and output left out), redacted, in order. */
  events: TimedEvent[];
  /** The run's error when it threw after it began, redacted; null otherwise. */
  error: string | null;
}

/** How a run ended, for the banner: a rollout outcome, or `failed` (an error, exit 1). */
export type ReportOutcome = DeployDocument['outcome'] | 'failed';

export type WindowData = ProgressEventOf<'analysis.window'>['data'] & { time: number };
export type HealthData = ProgressEventOf<'health.observed'>['data'] & { time: number };
export type AlarmData = ProgressEventOf<'analysis.alarm'>['data'] & { time: number };

/** One step of the plan and what became of it in this run. */
export interface StepRow {
  number: number;
  kind: string;
  label: string;
  candidateWeight: number;
  waitS: number;
  /** Epoch milliseconds; null for a step that never started. */
  startedAt: number | null;
  endedAt: number | null;
  outcome: string;
}

/** Everything the page draws, in one pass over the events. */
export interface ReportModel {
  outcome: ReportOutcome;
  reason: string | null;
  version: string;
  deploymentId: string;
  candidateSlot: string | null;
  stableSlot: string | null;
  stableVersion: string | null;
  /** Epoch milliseconds of the first and last thing the report knows of. */
  start: number;
  end: number;
  durationS: number;
  /** The candidate's declared weight from `start`, a point per change. */
  weights: { time: number; weight: number }[];
  health: HealthData[];
  windows: WindowData[];
  alarms: AlarmData[];
  rollbackAt: number | null;
  steps: StepRow[];
}

function eventsOf<C extends ProgressEvent['code']>(
  events: readonly TimedEvent[],
  code: C,
): (ProgressEventOf<C> & { time: number })[] {
  return events.filter((event): event is ProgressEventOf<C> & { time: number } => event.code === code);
}

/** The model of `data`: the document's facts, else what the events say. */
export function reportModel(data: ReportData): ReportModel {
  const { events, document } = data;
  const started = eventsOf(events, 'rollout.started')[0];
  const finished = eventsOf(events, 'rollout.finished').at(-1);
  const start = started?.time ?? events[0]?.time ?? 0;
  const lastTime = events.at(-1)?.time ?? start;
  const end = Math.max(finished?.time ?? lastTime, start + 1000);
  const outcome: ReportOutcome = document?.outcome ?? finished?.data.outcome ?? 'failed';
  const reason = document?.reason ?? finished?.data.reason ?? data.error;
  return {
    outcome,
    reason,
    version: document?.version ?? started?.data.version ?? 'unknown',
    deploymentId: document?.deployment_id ?? started?.data.deploymentId ?? 'unknown',
    candidateSlot: document?.slot ?? started?.data.candidateSlot ?? null,
    stableSlot: started?.data.stableSlot ?? document?.previous?.slot ?? null,
    stableVersion: started?.data.stableVersion ?? document?.previous?.version ?? null,
    start,
    end,
    durationS: document?.duration_s ?? finished?.data.durationS ?? (end - start) / 1000,
    weights: [
      { time: start, weight: 0 },
      ...eventsOf(events, 'weights.changed').map((e) => ({ time: e.time, weight: e.data.candidateWeight })),
    ],
    health: eventsOf(events, 'health.observed').map((e) => ({ ...e.data, time: e.time })),
    windows: eventsOf(events, 'analysis.window').map((e) => ({ ...e.data, time: e.time })),
    alarms: eventsOf(events, 'analysis.alarm').map((e) => ({ ...e.data, time: e.time })),
    rollbackAt: eventsOf(events, 'rollback.started')[0]?.time ?? null,
    steps: stepRows(started?.data.plan ?? [], events, end),
  };
}

/** The plan's steps with their start, end and outcome in this run; `not run` for the others. */
function stepRows(plan: readonly TimelineEntry[], events: readonly TimedEvent[], end: number): StepRow[] {
  const rows = new Map<number, StepRow>();
  for (const entry of plan) {
    rows.set(entry.number, {
      number: entry.number,
      kind: entry.kind,
      label: entry.label,
      candidateWeight: entry.weights.candidate,
      waitS: entry.waitS,
      startedAt: null,
      endedAt: null,
      outcome: 'not_run',
    });
  }
  for (const event of events) {
    if (event.code === 'step.started') {
      const { number, kind, label, candidateWeight, waitS } = event.data;
      rows.set(number, {
        number,
        kind,
        label,
        candidateWeight,
        waitS,
        startedAt: event.time,
        endedAt: null,
        outcome: 'running',
      });
    } else if (event.code === 'step.finished') {
      const row = rows.get(event.data.number);
      if (row) Object.assign(row, { endedAt: event.time, outcome: event.data.outcome });
    }
  }
  // A step still running when the events stop (a killed run) ends with them.
  for (const row of rows.values()) if (row.startedAt !== null && row.endedAt === null) row.endedAt = end;
  return [...rows.values()].sort((a, b) => a.number - b.number);
}

/** The windows judged while `step` ran (by the time they were judged). */
export function windowsOf(step: StepRow, windows: readonly WindowData[]): WindowData[] {
  if (step.startedAt === null || step.endedAt === null) return [];
  const { startedAt, endedAt } = step;
  return windows.filter((w) => w.time >= startedAt && w.time <= endedAt);
}
