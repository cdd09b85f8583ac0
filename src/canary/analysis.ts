/**
 * Analysis verdicts (`canary.analysis`): pure functions over one window's measurement of the
 * candidate and the stable release. No clock, no I/O: the rollout supplies the time and the
 * numbers, these say pass, fail or inconclusive, and why.
 */
import type { AnalysisConfig } from '../config/types.js';
import type { AlarmState, AnalysisWindow, WindowMeasurement } from './ports/analysis.js';

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
 * The last whole window, aligned to `intervalS` from the epoch (as CloudWatch aligns periods),
 * that starts at or after `notBefore` and whose end plus `delayS` is at or before `now`, and
 * that starts after `after` (the last window read; null at first). null when none is due.
 */
export function dueWindow(
  now: number,
  intervalS: number,
  delayS: number,
  notBefore: number,
  after: AnalysisWindow | null,
): AnalysisWindow | null {
  void now;
  void intervalS;
  void delayS;
  void notBefore;
  void after;
  throw new Error('dueWindow: not implemented (issue 13, analysis helper)');
}

/**
 * Judges one window at the candidate's `declaredWeight` (percent):
 * - fewer than `min_requests` candidate requests → inconclusive (`too-few-requests`);
 * - any check over its limit → fail, the reason naming the check, both values and the window;
 * - the observed share under `observed_share.min_ratio` × the declared weight → inconclusive
 *   (`share-below-ratio`), never a failure;
 * - otherwise pass. Comparisons with the stable release are skipped (check `passed: null`)
 *   when it has fewer than `min_requests` requests or there is none.
 */
export function judgeWindow(
  config: AnalysisConfig,
  measurement: WindowMeasurement,
  declaredWeight: number,
): WindowResult {
  void config;
  void measurement;
  void declaredWeight;
  throw new Error('judgeWindow: not implemented (issue 13, analysis helper)');
}

/** The candidate's share of requests in percent (one decimal), null when neither had any. */
export function observedShare(candidateRequests: number, stableRequests: number): number | null {
  void candidateRequests;
  void stableRequests;
  throw new Error('observedShare: not implemented (issue 13, analysis helper)');
}

/** The alarms not OK: ALARM fails; INSUFFICIENT_DATA is tolerated; a missing alarm is an error. */
export function alarmProblems(states: Record<string, AlarmState | null>): {
  inAlarm: string[];
  missing: string[];
} {
  void states;
  throw new Error('alarmProblems: not implemented (issue 13, analysis helper)');
}
