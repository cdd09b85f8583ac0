/**
 * Analysis verdicts (`canary.analysis`): pure functions over one window's measurement of the
 * candidate and the stable release. No clock, no I/O: the rollout supplies the time and the
 * numbers, these say pass, fail or inconclusive, and why.
 */
import type { AnalysisConfig } from '../config/types.js';
import type { AlarmState, AnalysisWindow, ReleaseMetrics, WindowMeasurement } from './ports/analysis.js';

export type WindowVerdict = 'pass' | 'fail' | 'inconclusive';

/** Why a window is inconclusive, or `judged` when it is not. */
export type WindowCode = 'judged' | 'too-few-requests' | 'share-below-ratio' | 'no-data';

/** One check of a window: what was measured for each release, the limit, and whether it held. */
export interface AnalysisCheck {
  /** `error_rate`, `latency`, `observed_share` or `metric:<name>`. */
  name: string;
  candidate: number | null;
  stable: number | null;
  /** The limit as a user reads it: `max 1 %`, `stable + 0.5 %`, `p99 ≤ 800 ms`. */
  limit: string;
  /** null: not judged (no data, or no stable release to compare with). */
  passed: boolean | null;
}

export interface WindowResult {
  verdict: WindowVerdict;
  code: WindowCode;
  /** One line: the failing check with both values and the window, or why it is inconclusive. */
  reason: string;
  checks: AnalysisCheck[];
  /** The candidate's share of the two releases' requests, in percent; null without requests. */
  observedShare: number | null;
}

/**
 * The next whole window to read, aligned to `intervalS` from the epoch (as CloudWatch aligns
 * periods): the earliest that starts at or after `notBefore` and at or after the end of `after`
 * (the last window read; null at first), provided its end plus `delayS` is at or before `now`.
 * null when none is due yet. Calling it again with the window it returned walks the windows
 * in order without a gap, so a rollout that fell behind (a long `pulumi up`) catches up window
 * by window instead of skipping the ones it missed.
 */
export function dueWindow(
  now: number,
  intervalS: number,
  delayS: number,
  notBefore: number,
  after: AnalysisWindow | null,
): AnalysisWindow | null {
  const period = intervalS * 1000;
  const from = Math.max(notBefore, after === null ? notBefore : after.end);
  const start = Math.ceil(from / period) * period;
  const end = start + period;
  return end + delayS * 1000 <= now ? { start, end } : null;
}

/** `10:31:20–10:31:30`: a window as the reasons name it, in UTC. */
export function formatWindow(window: AnalysisWindow): string {
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  return `${time(window.start)}–${time(window.end)}`;
}

/** A release's 5xx share of its requests (0–1); null without requests. */
export function errorRate(metrics: ReleaseMetrics, elb5xx: boolean): number | null {
  if (metrics.requests <= 0) return null;
  const errors = metrics.target5xx + (elb5xx ? metrics.elb5xx : 0);
  return errors / metrics.requests;
}

/** The candidate's share of requests in percent (one decimal), null when neither had any. */
export function observedShare(candidateRequests: number, stableRequests: number): number | null {
  const total = candidateRequests + stableRequests;
  if (total <= 0) return null;
  return Math.round((candidateRequests / total) * 1000) / 10;
}

/** The alarms not OK: ALARM fails; INSUFFICIENT_DATA is tolerated; a missing alarm is an error. */
export function alarmProblems(states: Record<string, AlarmState | null>): {
  inAlarm: string[];
  missing: string[];
} {
  const inAlarm: string[] = [];
  const missing: string[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (state === null) missing.push(name);
    else if (state === 'ALARM') inAlarm.push(name);
  }
  return { inAlarm, missing };
}

/** A number with at most `digits` decimals and no trailing zeros: 1, 0.5, 19.8. */
function trim(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** A rate (0–1) in percent, one decimal, more when that would show a non-zero as 0. */
export function formatPercent(rate: number, digits = 1): string {
  const percent = rate * 100;
  let shown = digits;
  while (shown < 6 && percent !== 0 && Number(percent.toFixed(shown)) === 0) shown += 1;
  return `${trim(percent, shown)} %`;
}

/** Milliseconds: whole above 10 ms, one decimal below. */
export function formatMs(ms: number): string {
  return `${trim(ms, Math.abs(ms) >= 10 ? 0 : 1)} ms`;
}

/**
 * A failing value next to its limit, with as many decimals as it takes for the two to differ:
 * `1.04 % > max 1 %`, never `1 % > max 1 %`.
 */
function apart(value: number, limit: number, format: (v: number, d: number) => string) {
  let digits = 1;
  while (digits < 6 && format(value, digits) === format(limit, digits)) digits += 1;
  return { value: format(value, digits), limit: format(limit, digits), digits };
}

/** value ≤ limit, where the limit is a sum or product: 0.01 + 0.005 is 0.015000000000000001. */
function atMost(value: number, limit: number): boolean {
  return value <= limit + 1e-9 * Math.max(1, Math.abs(limit));
}

interface Judged {
  check: AnalysisCheck;
  /** The failing part of the reason (without the window), when the check failed. */
  failure: string | null;
}

/** Where the stable release has enough requests to compare with, its metrics. */
function comparable(config: AnalysisConfig, m: WindowMeasurement): ReleaseMetrics | null {
  return m.stable !== null && m.stable.requests >= config.min_requests ? m.stable : null;
}

function errorRateChecks(config: AnalysisConfig, m: WindowMeasurement): Judged[] {
  const limits = config.error_rate;
  if (limits === undefined) return [];
  const candidate = errorRate(m.candidate, limits.elb_5xx);
  const base = comparable(config, m);
  const stable = m.stable === null ? null : errorRate(m.stable, limits.elb_5xx);
  const stableText = stable === null ? '' : ` (stable ${formatPercent(stable)})`;
  const judged: Judged[] = [];
  if (limits.max !== undefined) {
    const max = limits.max;
    const passed = candidate === null ? null : candidate <= max;
    const shown = candidate === null ? null : apart(candidate, max, formatPercent);
    const failure =
      passed === false && shown !== null
        ? `error_rate ${shown.value} > max ${shown.limit}${stableText}`
        : null;
    judged.push({
      check: { name: 'error_rate', candidate, stable, limit: `max ${formatPercent(max)}`, passed },
      failure,
    });
  }
  if (limits.max_increase !== undefined) {
    const increase = limits.max_increase;
    const stableRate = base === null ? null : errorRate(base, limits.elb_5xx);
    const passed =
      candidate === null || stableRate === null ? null : atMost(candidate, stableRate + increase);
    const shown =
      passed === false && candidate !== null && stableRate !== null
        ? apart(candidate, stableRate + increase, formatPercent)
        : null;
    const failure =
      shown === null || stableRate === null
        ? null
        : `error_rate ${shown.value} > stable + ${formatPercent(increase)} (stable ${formatPercent(stableRate, shown.digits)})`;
    const limit = `stable + ${formatPercent(increase)}`;
    judged.push({ check: { name: 'error_rate', candidate, stable, limit, passed }, failure });
  }
  return judged;
}

function latencyChecks(config: AnalysisConfig, m: WindowMeasurement): Judged[] {
  const limits = config.latency;
  if (limits === undefined) return [];
  const candidate = m.candidate.p99Ms;
  const stable = m.stable?.p99Ms ?? null;
  const stableText = stable === null ? '' : ` (stable ${formatMs(stable)})`;
  const judged: Judged[] = [];
  if (limits.p99_max_ms !== undefined) {
    const max = limits.p99_max_ms;
    const passed = candidate === null ? null : candidate <= max;
    const failure =
      passed === false && candidate !== null
        ? `latency p99 ${formatMs(candidate)} > ${formatMs(max)}${stableText}`
        : null;
    const limit = `p99 ≤ ${formatMs(max)}`;
    judged.push({ check: { name: 'latency', candidate, stable, limit, passed }, failure });
  }
  if (limits.max_increase !== undefined) {
    const increase = limits.max_increase;
    const base = comparable(config, m)?.p99Ms ?? null;
    const passed = candidate === null || base === null ? null : atMost(candidate, base * (1 + increase));
    const failure =
      passed === false && candidate !== null && base !== null
        ? `latency p99 ${formatMs(candidate)} > stable + ${formatPercent(increase)} (stable ${formatMs(base)})`
        : null;
    const limit = `p99 ≤ stable + ${formatPercent(increase)}`;
    judged.push({ check: { name: 'latency', candidate, stable, limit, passed }, failure });
  }
  return judged;
}

function metricChecks(config: AnalysisConfig, m: WindowMeasurement): Judged[] {
  return config.metrics.map((metric) => {
    const name = `metric:${metric.name}`;
    const value = m.custom[metric.name] ?? null;
    const limits = [
      metric.min === undefined ? null : `min ${trim(metric.min, 6)}`,
      metric.max === undefined ? null : `max ${trim(metric.max, 6)}`,
    ].filter((part) => part !== null);
    let failure: string | null = null;
    if (value !== null && metric.max !== undefined && value > metric.max) {
      const shown = apart(value, metric.max, (v, d) => trim(v, d + 1));
      failure = `${name} ${shown.value} > max ${shown.limit}`;
    } else if (value !== null && metric.min !== undefined && value < metric.min) {
      const shown = apart(value, metric.min, (v, d) => trim(v, d + 1));
      failure = `${name} ${shown.value} < min ${shown.limit}`;
    }
    const passed = value === null ? null : failure === null;
    const check = { name, candidate: value, stable: null, limit: limits.join(', '), passed };
    return { check, failure };
  });
}

function shareCheck(config: AnalysisConfig, share: number | null, declaredWeight: number): Judged | null {
  if (config.observed_share === undefined) return null;
  const ratio = config.observed_share.min_ratio;
  const required = Math.round(ratio * declaredWeight * 10) / 10;
  const passed = share === null ? null : share >= required;
  const why = `min_ratio ${trim(ratio, 3)} × weight ${trim(declaredWeight, 1)} %`;
  const limit = `≥ ${trim(required, 1)} % (${why})`;
  const failure =
    passed === false ? `observed share ${trim(share ?? 0, 1)} % < ${trim(required, 1)} % (${why})` : null;
  return { check: { name: 'observed_share', candidate: share, stable: null, limit, passed }, failure };
}

/**
 * Judges one window at the candidate's `declaredWeight` (percent):
 * - fewer than `min_requests` candidate requests → inconclusive (`too-few-requests`);
 * - any check over its limit → fail, the reason naming the check, both values and the window;
 * - the observed share under `observed_share.min_ratio` × the declared weight → inconclusive
 *   (`share-below-ratio`), never a failure;
 * - otherwise pass. Comparisons with the stable release are skipped (check `passed: null`)
 *   when it has fewer than `min_requests` requests or there is none.
 * With too few requests the checks still carry the measured values, all `passed: null`.
 */
export function judgeWindow(
  config: AnalysisConfig,
  measurement: WindowMeasurement,
  declaredWeight: number,
): WindowResult {
  const m = measurement;
  const window = `in window ${formatWindow(m)}`;
  const share = observedShare(m.candidate.requests, m.stable?.requests ?? 0);
  const shareJudged = shareCheck(config, share, declaredWeight);
  const judged = [...errorRateChecks(config, m), ...latencyChecks(config, m), ...metricChecks(config, m)];
  const checks = [...judged, ...(shareJudged === null ? [] : [shareJudged])].map((j) => j.check);
  if (m.candidate.requests < config.min_requests) {
    const reason = `${m.candidate.requests} candidate requests < min_requests ${config.min_requests} ${window}`;
    const unjudged = checks.map((check) => ({ ...check, passed: null }));
    return {
      verdict: 'inconclusive',
      code: 'too-few-requests',
      reason,
      checks: unjudged,
      observedShare: share,
    };
  }
  const failures = judged.flatMap((j) => (j.failure === null ? [] : [j.failure]));
  if (failures.length > 0) {
    const reason = `${failures.join('; ')} ${window}`;
    return { verdict: 'fail', code: 'judged', reason, checks, observedShare: share };
  }
  if (shareJudged?.failure) {
    const reason = `${shareJudged.failure} ${window}`;
    return { verdict: 'inconclusive', code: 'share-below-ratio', reason, checks, observedShare: share };
  }
  const held = checks.filter((check) => check.passed === true).length;
  const skipped = checks.length - held;
  const reason = `${held} ${held === 1 ? 'check' : 'checks'} held${skipped > 0 ? `, ${skipped} not judged` : ''} ${window}`;
  return { verdict: 'pass', code: 'judged', reason, checks, observedShare: share };
}

/**
 * A window CloudWatch could not be read for (throttled, unreachable): inconclusive (`no-data`),
 * never a verdict, the error in the reason.
 */
export function unreadWindow(window: AnalysisWindow, error: string): WindowResult {
  return {
    verdict: 'inconclusive',
    code: 'no-data',
    reason: `CloudWatch could not be read (${error}) in window ${formatWindow(window)}`,
    checks: [],
    observedShare: null,
  };
}

/**
 * Whether a window lets its step advance: a pass, or with `inconclusive: pass` a window with too
 * few requests. A share below `observed_share.min_ratio` or an unread window never does.
 */
export function windowCountsAsPassing(config: AnalysisConfig, result: WindowResult): boolean {
  if (result.verdict === 'pass') return true;
  return config.inconclusive === 'pass' && result.code === 'too-few-requests';
}
