/**
 * The analysis part of the live view and of the plain lines (`canary.analysis`): the latest
 * window of both releases next to each other, the share of traffic the candidate really got
 * next to its declared weight, the failing windows so far, and the alarms not OK. Pure.
 */
import {
  type AnalysisCheck,
  errorRate,
  formatMs,
  formatPercent,
  formatWindow,
  type WindowVerdict,
} from '../canary/analysis.js';
import type { ProgressEventOf } from '../canary/events.js';
import type { AlarmState, ReleaseMetrics } from '../canary/ports/analysis.js';
import type { Style } from './format.js';
import { redact } from './redact.js';

/** What the block shows of the analysis; null until the first analysis event. */
export interface LiveAnalysis {
  /** The latest judged window. */
  readonly window: ProgressEventOf<'analysis.window'>['data'] | null;
  /** The named alarms not OK (missing: null), by name. */
  readonly alarms: Readonly<Record<string, AlarmState | null>>;
  /** The last CloudWatch error, until the next window is judged. */
  readonly error: string | null;
}

type AnalysisEvent = ProgressEventOf<'analysis.window' | 'analysis.alarm' | 'analysis.probe-failed'>;

/** The analysis after one more analysis event. */
export function reduceAnalysis(before: LiveAnalysis | null, event: AnalysisEvent): LiveAnalysis {
  const s: LiveAnalysis = before ?? { window: null, alarms: {}, error: null };
  switch (event.code) {
    case 'analysis.window':
      return { ...s, window: event.data, error: null };
    case 'analysis.alarm': {
      const { [event.data.name]: _, ...others } = s.alarms;
      return {
        ...s,
        alarms: event.data.state === 'OK' ? others : { ...others, [event.data.name]: event.data.state },
      };
    }
    case 'analysis.probe-failed':
      return { ...s, error: event.data.error };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

const VERDICT_STYLE: Record<WindowVerdict, Style> = { pass: 'green', inconclusive: 'yellow', fail: 'red' };

/**
 * The block's analysis lines, each short enough for 80 columns:
 * `analysis pass 12:01:10–12:01:20 · share 9.8 % of 10 % · failures 0/1`,
 * `  candidate 5xx 0.2 %, p99 120 ms · stable 5xx 0.1 %, p99 110 ms`, then the reason of a
 * window that did not pass, the alarms not OK, and a CloudWatch error.
 */
export function analysisLines(analysis: LiveAnalysis | null): { text: string; style: Style }[] {
  if (!analysis) return [];
  const lines: { text: string; style: Style }[] = [];
  const { window } = analysis;
  if (window) {
    const style = VERDICT_STYLE[window.verdict];
    const share = window.observedShare === null ? '–' : `${window.observedShare} %`;
    lines.push({
      text: [
        `analysis ${window.verdict} ${formatWindow(window)}`,
        `share ${share} of ${window.declaredWeight} %`,
        `failures ${window.failures}/${window.failureLimit}`,
      ].join(' · '),
      style,
    });
    const releases = [`candidate ${figures(window.candidate)}`];
    if (window.stable) releases.push(`stable ${figures(window.stable)}`);
    lines.push({ text: `  ${releases.join(' · ')}`, style: 'dim' });
    if (window.verdict !== 'pass') lines.push({ text: `  ${window.reason}`, style });
  }
  const alarms = Object.entries(analysis.alarms);
  if (alarms.length > 0) {
    const listed = alarms.map(([name, state]) => `${name} ${state ?? 'missing'}`).join(', ');
    const style = alarms.some(([, state]) => state === 'ALARM') ? 'red' : 'yellow';
    lines.push({ text: `alarms not OK: ${listed}`, style });
  }
  if (analysis.error !== null) {
    lines.push({ text: `CloudWatch unreadable: ${redact(analysis.error)}`, style: 'yellow' });
  }
  return lines;
}

/** `5xx 0.2 %, p99 120 ms`. */
function figures(metrics: ReleaseMetrics): string {
  const rate = errorRate(metrics, true);
  const p99 = metrics.p99Ms === null ? '–' : formatMs(metrics.p99Ms);
  return `5xx ${rate === null ? '–' : formatPercent(rate)}, p99 ${p99}`;
}

/** One check as the plain lines detail it: `error_rate: candidate 20 %, stable 0.2 %, max 1 % → failed`. */
export function checkLine(check: AnalysisCheck): string {
  const value = (v: number | null) => (v === null ? '–' : checkValue(check.name, v));
  const verdict = check.passed === null ? 'not judged' : check.passed ? 'held' : 'failed';
  const stable = check.stable === null ? '' : `, stable ${value(check.stable)}`;
  return `${check.name}: candidate ${value(check.candidate)}${stable}, ${check.limit} → ${verdict}`;
}

function checkValue(name: string, value: number): string {
  if (name === 'error_rate') return formatPercent(value);
  if (name === 'latency') return formatMs(value);
  if (name === 'observed_share') return `${value} %`;
  return String(value);
}
