/**
 * Simulated clients sending requests to the sandbox's names while a scenario runs: each
 * resolves a name the way Route 53 answers it, keeps the answer for the TTL (as resolvers
 * and clients do), and sends its request through the ALB it was given. Counts what each
 * release served and why requests failed, and publishes what the ALBs would to CloudWatch
 * (`metrics.ts`), every second. Test tooling: nothing here ships.
 */

import { countAnswer, emptyCounts, type MetricsSink, metricData, type SecondCounts } from './metrics.js';
import {
  type Answer,
  answer,
  type FailureReason,
  resolve,
  route,
  seededRandom,
  type World,
} from './model.js';
import type { WorldReader } from './world.js';

export interface TrafficOptions {
  world: WorldReader;
  /**
   * The names the clients ask for, each as often. Absent: every name that has weighted alias
   * records at the last read of the emulator, as users find whatever is published.
   */
  names?: string[];
  /** Where the ALB metrics go; absent: none are published. */
  metrics?: MetricsSink;
  /** The listener port the clients connect to. */
  port?: number;
  path?: string;
  clients?: number;
  ratePerSecond?: number;
  /**
   * How long a client keeps a DNS answer. Route 53 answers an ALB alias with a 60 s TTL; the
   * sandbox scales it down with its other waits (drains and TTLs in seconds, not minutes).
   */
  ttlMs?: number;
  /** How often the emulator's state is read again. */
  refreshMs?: number;
  seed?: number;
}

export interface FailedRequest {
  at: string;
  name: string;
  reason: FailureReason;
}

export interface TrafficReport {
  requests: number;
  /** Requests answered, per release (`<service> <version> (<slot>)`). */
  served: Record<string, number>;
  /** Requests that failed, per reason. */
  failed: Partial<Record<FailureReason, number>>;
  failedTotal: number;
  /** The first failures, for a reader to see when and why. */
  firstFailures: FailedRequest[];
  /** When the last failure happened (ISO-8601); null without any. */
  lastFailureAt: string | null;
  /** What the ALBs counted, per target group dimension (`targetgroup/<name>/<id>`): CloudWatch's RequestCount and HTTPCode_Target_5XX_Count. */
  targetGroups: Record<string, { requests: number; target5xx: number }>;
  /** Per ALB dimension (`app/<name>/<id>`): RequestCount and HTTPCode_ELB_5XX_Count. */
  loadBalancers: Record<string, { requests: number; elb5xx: number }>;
  /**
   * Reads of the emulator, and how many failed: requests are judged against the last good
   * read, so a run whose reads kept failing judged a stale picture and proves nothing.
   */
  worldReads: number;
  worldReadErrors: number;
  /** PutMetricData calls that failed (their second's data points are lost, as a test would see). */
  metricErrors: number;
  durationS: number;
}

/** The counters at an instant, to measure what happened between two points (`since`). */
export interface TrafficMark {
  /** Epoch milliseconds. */
  at: number;
  report: TrafficReport;
}

const TICK_MS = 50;
const KEPT_FAILURES = 10;

interface CachedAnswer {
  alb: string | null;
  expiresAt: number;
}

function emptyReport(): TrafficReport {
  return {
    requests: 0,
    served: {},
    failed: {},
    failedTotal: 0,
    firstFailures: [],
    lastFailureAt: null,
    targetGroups: {},
    loadBalancers: {},
    worldReads: 0,
    worldReadErrors: 0,
    metricErrors: 0,
    durationS: 0,
  };
}

type Settings = Required<Omit<TrafficOptions, 'world' | 'names' | 'metrics'>>;

export class TrafficRun {
  readonly #options: Settings & Pick<TrafficOptions, 'world' | 'names' | 'metrics'>;
  readonly #random: () => number;
  #caches: Map<string, CachedAnswer>[];
  #world: World | undefined;
  #timers: ReturnType<typeof setInterval>[] = [];
  #startedAt = Date.now();
  #refreshing = false;
  #report = emptyReport();
  /** The second (epoch seconds) requests are being counted in, and its counts. */
  #second = Math.floor(Date.now() / 1000);
  #counts: SecondCounts = emptyCounts();
  /** Marks waiting for the next second to begin. */
  #marks: ((mark: TrafficMark) => void)[] = [];
  #publishing: Promise<void> = Promise.resolve();

  constructor(options: TrafficOptions) {
    this.#options = {
      port: 80,
      path: '/',
      clients: 20,
      ratePerSecond: 40,
      ttlMs: 1000,
      refreshMs: 500,
      seed: 1,
      ...options,
    };
    this.#random = seededRandom(this.#options.seed);
    this.#caches = this.#freshCaches();
  }

  /** Reads the emulator once, then sends requests until `stop`. */
  async start(): Promise<void> {
    this.#world = await this.#options.world.read();
    this.#startedAt = Date.now();
    this.#second = Math.floor(this.#startedAt / 1000);
    let owed = 0;
    this.#timers.push(
      setInterval(() => {
        this.#tick();
        owed += (this.#options.ratePerSecond * TICK_MS) / 1000;
        for (; owed >= 1; owed -= 1) this.#send();
      }, TICK_MS),
      setInterval(() => void this.#refresh(), this.#options.refreshMs),
    );
  }

  /** What was counted so far. */
  report(): TrafficReport {
    return { ...copy(this.#report), durationS: Math.round((Date.now() - this.#startedAt) / 100) / 10 };
  }

  /**
   * The counters at the start of the next second: between two marks, the report's counts are
   * exactly what CloudWatch holds for the whole seconds [first.at, second.at).
   */
  mark(): Promise<TrafficMark> {
    if (this.#timers.length === 0) return Promise.resolve({ at: Date.now(), report: this.report() });
    return new Promise((resolve) => this.#marks.push(resolve));
  }

  /** What happened from `from` to `to` (default: now). */
  since(from: TrafficMark, to: TrafficMark = { at: Date.now(), report: this.report() }): TrafficReport {
    return delta(from, to);
  }

  /** Forgets every count, the clients' DNS answers and the data points not yet published (after a reset of the emulator). */
  clear(): void {
    this.#report = emptyReport();
    this.#counts = emptyCounts();
    this.#caches = this.#freshCaches();
    this.#startedAt = Date.now();
  }

  stop(): TrafficReport {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#tick(true);
    return this.report();
  }

  /** Data points put so far have landed (for a test about to read them). */
  async settled(): Promise<void> {
    await this.#publishing;
  }

  #freshCaches(): Map<string, CachedAnswer>[] {
    return Array.from({ length: this.#options.clients }, () => new Map());
  }

  /** At the first tick of a new second: the marks waiting for it, and the last second's data points. */
  #tick(final = false): void {
    const second = Math.floor(Date.now() / 1000);
    if (second === this.#second && !final) return;
    const mark = { at: second * 1000, report: this.report() };
    for (const resolve of this.#marks.splice(0)) resolve(mark);
    const data = metricData(this.#counts, this.#second);
    this.#second = second;
    this.#counts = emptyCounts();
    const sink = this.#options.metrics;
    if (!sink || data.length === 0) return;
    // One publication at a time, in order; a failure loses that second, as a test reading it would see.
    this.#publishing = this.#publishing.then(() =>
      sink.put(data).catch(() => {
        this.#report.metricErrors += 1;
      }),
    );
  }

  async #refresh(): Promise<void> {
    if (this.#refreshing) return;
    this.#refreshing = true;
    try {
      this.#world = await this.#options.world.read();
      this.#report.worldReads += 1;
    } catch {
      // A read that failed (the emulator busy) keeps the last picture: traffic does not stop,
      // and the report says how often it happened.
      this.#report.worldReadErrors += 1;
    } finally {
      this.#refreshing = false;
    }
  }

  #send(): void {
    const world = this.#world;
    if (!world) return;
    const { clients, ttlMs, port, path } = this.#options;
    const names = this.#options.names ?? Object.keys(world.records);
    if (names.length === 0) return;
    const name = names[Math.floor(this.#random() * names.length)] ?? names[0] ?? '';
    const cache = this.#caches[Math.floor(this.#random() * clients)] ?? new Map<string, CachedAnswer>();
    const now = Date.now();
    let cached = cache.get(name);
    if (!cached || cached.expiresAt <= now) {
      cached = { alb: resolve(world, name, this.#random), expiresAt: now + ttlMs };
      cache.set(name, cached);
    }
    const routed =
      cached.alb === null ? { failed: 'no-record' as const } : route(world, cached.alb, port, name, path);
    const answered = answer(world, routed, this.#random);
    countAnswer(this.#counts, answered);
    this.#count(answered, name, now);
  }

  #count({ outcome, counted, target5xx, elb5xx }: Answer, name: string, now: number): void {
    const report = this.#report;
    report.requests += 1;
    if (outcome.alb && (counted || elb5xx)) {
      const perAlb = report.loadBalancers[outcome.alb] ?? { requests: 0, elb5xx: 0 };
      report.loadBalancers[outcome.alb] = {
        requests: perAlb.requests + (counted ? 1 : 0),
        elb5xx: perAlb.elb5xx + (elb5xx ? 1 : 0),
      };
    }
    if (outcome.targetGroup && counted) {
      const perGroup = report.targetGroups[outcome.targetGroup] ?? { requests: 0, target5xx: 0 };
      report.targetGroups[outcome.targetGroup] = {
        requests: perGroup.requests + 1,
        target5xx: perGroup.target5xx + (target5xx ? 1 : 0),
      };
    }
    if ('served' in outcome) {
      report.served[outcome.served] = (report.served[outcome.served] ?? 0) + 1;
      return;
    }
    report.failed[outcome.failed] = (report.failed[outcome.failed] ?? 0) + 1;
    report.failedTotal += 1;
    report.lastFailureAt = new Date(now).toISOString();
    if (report.firstFailures.length < KEPT_FAILURES) {
      report.firstFailures.push({ at: new Date(now).toISOString(), name, reason: outcome.failed });
    }
  }
}

function copy(report: TrafficReport): TrafficReport {
  const nested = <T extends object>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, { ...value }]));
  return {
    ...report,
    served: { ...report.served },
    failed: { ...report.failed },
    firstFailures: [...report.firstFailures],
    targetGroups: nested(report.targetGroups),
    loadBalancers: nested(report.loadBalancers),
  };
}

/** `to` minus `from`, field by field (pure). */
export function delta(from: TrafficMark, to: TrafficMark): TrafficReport {
  const a = from.report;
  const b = to.report;
  const minus = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(x)
        .map(([key, value]) => [key, value - (y[key] ?? 0)] as const)
        .filter(([, value]) => value !== 0),
    );
  const nested = <T extends Record<string, number>>(x: Record<string, T>, y: Record<string, T>) =>
    Object.fromEntries(
      Object.entries(x)
        .map(([key, value]) => [key, minus(value, y[key] ?? {})] as const)
        .filter(([, value]) => Object.keys(value).length > 0)
        .map(([key, value]) => [key, { ...zeroed(x[key] as T), ...value }]),
    ) as Record<string, T>;
  const since = new Date(from.at).toISOString();
  return {
    requests: b.requests - a.requests,
    served: minus(b.served, a.served),
    failed: minus(b.failed, a.failed),
    failedTotal: b.failedTotal - a.failedTotal,
    // Kept failures are the first ones of the whole run: those after `from` are what is left.
    firstFailures: b.firstFailures.filter((failure) => failure.at >= since),
    lastFailureAt: b.lastFailureAt !== null && b.lastFailureAt >= since ? b.lastFailureAt : null,
    targetGroups: nested(b.targetGroups, a.targetGroups),
    loadBalancers: nested(b.loadBalancers, a.loadBalancers),
    worldReads: b.worldReads - a.worldReads,
    worldReadErrors: b.worldReadErrors - a.worldReadErrors,
    metricErrors: b.metricErrors - a.metricErrors,
    durationS: Math.round((to.at - from.at) / 100) / 10,
  };
}

function zeroed<T extends Record<string, number>>(record: T): T {
  return Object.fromEntries(Object.keys(record).map((key) => [key, 0])) as T;
}

/** One line: requests, what each release served, what failed and why. */
export function describeTraffic(report: TrafficReport): string {
  const served = Object.entries(report.served)
    .map(([release, count]) => `${release}: ${count}`)
    .join(', ');
  const failed = Object.entries(report.failed)
    .map(([reason, count]) => `${reason}: ${count}`)
    .join(', ');
  return `${report.requests} requests in ${report.durationS} s; served ${served || 'none'}; failed ${report.failedTotal}${failed ? ` (${failed})` : ''}`;
}
