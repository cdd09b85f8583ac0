/**
 * A fake of the CloudWatch port (`MetricsSource`): each window's metrics and each alarm's state
 * come from scripts over virtual time, and every call is recorded. `trafficFrom` models the
 * requests of a window from the weights the fake stack last applied, as DNS would split them.
 */
import type {
  AlarmState,
  MetricsSource,
  ReleaseMetrics,
  WindowMeasurement,
  WindowQuery,
} from '../../src/canary/ports/analysis.js';
import type { Slot } from '../../src/canary/ports/aws.js';
import type { AnalysisConfig } from '../../src/config/types.js';
import type { FakeClock, FakeStackRunner } from './fakes.js';

/** A `canary.analysis` for the fakes' virtual time: 10 s windows read 5 s late, every default else. */
export function buildAnalysis(overrides: Partial<AnalysisConfig> = {}): AnalysisConfig {
  return {
    interval: 10,
    delay: 5,
    min_requests: 50,
    failure_limit: 0,
    inconclusive: 'fail',
    timeout: 120,
    alarms: [],
    metrics: [],
    ...overrides,
  };
}

export interface MetricsContext {
  /** Virtual milliseconds since the clock started. */
  elapsedMs: number;
  /** 0 for the first call of its kind. */
  call: number;
}

export type WindowScript = (query: WindowQuery, context: MetricsContext) => WindowMeasurement | Error;
export type AlarmScript = (
  names: string[],
  context: MetricsContext,
) => Record<string, AlarmState | null> | Error;

/** Every named alarm OK. */
export const alarmsOk: AlarmScript = (names) => Object.fromEntries(names.map((name) => [name, 'OK']));

/** The alarms OK, except those `states` names, from `fromMs` on. */
export function alarmTimeline(
  phases: readonly { fromMs: number; states: Record<string, AlarmState | null> }[],
): AlarmScript {
  return (names, { elapsedMs }) => {
    const states: Record<string, AlarmState | null> = Object.fromEntries(names.map((name) => [name, 'OK']));
    for (const phase of phases) {
      if (elapsedMs >= phase.fromMs) Object.assign(states, phase.states);
    }
    return states;
  };
}

export class FakeMetricsSource implements MetricsSource {
  readonly windows: { at: number; query: WindowQuery }[] = [];
  readonly alarmReads: { at: number; names: string[] }[] = [];
  readonly #clock: FakeClock;
  readonly #window: WindowScript;
  readonly #alarms: AlarmScript;

  constructor(clock: FakeClock, scripts: { window?: WindowScript; alarms?: AlarmScript } = {}) {
    this.#clock = clock;
    this.#window = scripts.window ?? ((query) => quietWindow(query));
    this.#alarms = scripts.alarms ?? alarmsOk;
  }

  async measure(query: WindowQuery): Promise<WindowMeasurement> {
    const call = this.windows.length;
    this.windows.push({ at: this.#clock.now(), query });
    const answer = this.#window(query, { elapsedMs: this.#clock.elapsed(), call });
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async alarmStates(names: string[]): Promise<Record<string, AlarmState | null>> {
    const call = this.alarmReads.length;
    this.alarmReads.push({ at: this.#clock.now(), names });
    const answer = this.#alarms(names, { elapsedMs: this.#clock.elapsed(), call });
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** A window without a single request. */
export function quietWindow(query: WindowQuery): WindowMeasurement {
  const none: ReleaseMetrics = { requests: 0, target5xx: 0, elb5xx: 0, p99Ms: null };
  return {
    start: query.start,
    end: query.end,
    candidate: none,
    stable: query.stable ? none : null,
    custom: {},
  };
}

/** How each release answers, for `trafficFrom`. */
export interface TrafficModel {
  /** Requests of both releases per window. Default 1000. */
  requestsPerWindow?: number;
  /** Share of the candidate's requests answered 5xx (by its targets). Default 0.002. */
  candidateErrorRate?: number;
  stableErrorRate?: number;
  /** p99 in ms. Defaults 100 and 100. */
  candidateP99Ms?: number;
  stableP99Ms?: number;
  /** The fraction of its declared weight the candidate really gets (DNS caches). Default 1. */
  shareFactor?: number | ((context: MetricsContext) => number);
  /** Values of the custom metrics. */
  custom?: (query: WindowQuery, context: MetricsContext) => Record<string, number | null>;
}

/**
 * Windows split between the releases as the weights the stack last applied say (times
 * `shareFactor`), the candidate being the slot other than the live one.
 */
export function trafficFrom(runner: FakeStackRunner, model: TrafficModel = {}): WindowScript {
  return (query, context) => {
    const outputs = runner.current;
    const slot: Slot | null | undefined = outputs?.meta.candidateSlot;
    const weight = slot && outputs ? (outputs.weights[slot] ?? 0) : 0;
    const factor =
      typeof model.shareFactor === 'function' ? model.shareFactor(context) : (model.shareFactor ?? 1);
    const total = model.requestsPerWindow ?? 1000;
    const candidateRequests = Math.round((total * weight * factor) / 100);
    const release = (requests: number, rate: number, p99Ms: number): ReleaseMetrics => ({
      requests,
      target5xx: Math.round(requests * rate),
      elb5xx: 0,
      p99Ms: requests > 0 ? p99Ms : null,
    });
    return {
      start: query.start,
      end: query.end,
      candidate: release(candidateRequests, model.candidateErrorRate ?? 0.002, model.candidateP99Ms ?? 100),
      stable: query.stable
        ? release(total - candidateRequests, model.stableErrorRate ?? 0.002, model.stableP99Ms ?? 100)
        : null,
      custom: model.custom?.(query, context) ?? {},
    };
  };
}
