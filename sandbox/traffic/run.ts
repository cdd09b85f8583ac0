/**
 * Simulated clients sending requests to the sandbox's names while a scenario runs: each
 * resolves a name the way Route 53 answers it, keeps the answer for the TTL (as resolvers
 * and clients do), and sends its request through the ALB it was given. Counts what each
 * release served and why requests failed. Test tooling: nothing here ships.
 */
import { type FailureReason, resolve, route, seededRandom, type World } from './model.js';
import type { WorldReader } from './world.js';

export interface TrafficOptions {
  world: WorldReader;
  /** The names the clients ask for, each as often. */
  names: string[];
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
  /**
   * Reads of the emulator, and how many failed: requests are judged against the last good
   * read, so a run whose reads kept failing judged a stale picture and proves nothing.
   */
  worldReads: number;
  worldReadErrors: number;
  durationS: number;
}

const TICK_MS = 50;
const KEPT_FAILURES = 10;

interface CachedAnswer {
  alb: string | null;
  expiresAt: number;
}

export class TrafficRun {
  readonly #options: Required<Omit<TrafficOptions, 'world'>> & { world: WorldReader };
  readonly #random: () => number;
  readonly #caches: Map<string, CachedAnswer>[];
  #world: World | undefined;
  #timers: ReturnType<typeof setInterval>[] = [];
  #startedAt = 0;
  #refreshing = false;
  readonly #report: TrafficReport = {
    requests: 0,
    served: {},
    failed: {},
    failedTotal: 0,
    firstFailures: [],
    lastFailureAt: null,
    worldReads: 0,
    worldReadErrors: 0,
    durationS: 0,
  };

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
    this.#caches = Array.from({ length: this.#options.clients }, () => new Map());
  }

  /** Reads the emulator once, then sends requests until `stop`. */
  async start(): Promise<void> {
    this.#world = await this.#options.world.read();
    this.#startedAt = Date.now();
    let owed = 0;
    this.#timers.push(
      setInterval(() => {
        owed += (this.#options.ratePerSecond * TICK_MS) / 1000;
        for (; owed >= 1; owed -= 1) this.#send();
      }, TICK_MS),
      setInterval(() => void this.#refresh(), this.#options.refreshMs),
    );
  }

  /** What was counted so far. */
  report(): TrafficReport {
    return {
      ...this.#report,
      served: { ...this.#report.served },
      failed: { ...this.#report.failed },
      firstFailures: [...this.#report.firstFailures],
      durationS: Math.round((Date.now() - this.#startedAt) / 100) / 10,
    };
  }

  stop(): TrafficReport {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    return this.report();
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
    const { names, clients, ttlMs, port, path } = this.#options;
    const name = names[Math.floor(this.#random() * names.length)] ?? names[0] ?? '';
    const cache = this.#caches[Math.floor(this.#random() * clients)] ?? new Map<string, CachedAnswer>();
    const now = Date.now();
    let answer = cache.get(name);
    if (!answer || answer.expiresAt <= now) {
      answer = { alb: resolve(world, name, this.#random), expiresAt: now + ttlMs };
      cache.set(name, answer);
    }
    const outcome =
      answer.alb === null ? { failed: 'no-record' as const } : route(world, answer.alb, port, name, path);
    this.#report.requests += 1;
    if ('served' in outcome) {
      this.#report.served[outcome.served] = (this.#report.served[outcome.served] ?? 0) + 1;
      return;
    }
    this.#report.failed[outcome.failed] = (this.#report.failed[outcome.failed] ?? 0) + 1;
    this.#report.failedTotal += 1;
    this.#report.lastFailureAt = new Date(now).toISOString();
    if (this.#report.firstFailures.length < KEPT_FAILURES) {
      this.#report.firstFailures.push({ at: new Date(now).toISOString(), name, reason: outcome.failed });
    }
  }
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
