/**
 * Fakes of the rollout's ports (ARCHITECTURE habit 7): a virtual clock, a stack runner that
 * records every desired state, a health probe fed a scripted timeline, a recording reporter.
 * Deterministic: nothing here waits for real time.
 */
import type { ProgressEvent, ProgressEventCode, ProgressEventOf } from '../../src/canary/events.js';
import { failedTaskLimit } from '../../src/canary/gate.js';
import type {
  CandidateRef,
  HealthProbe,
  Observation,
  Slot,
  TargetState,
} from '../../src/canary/ports/aws.js';
import { noTargets } from '../../src/canary/ports/aws.js';
import type { Clock } from '../../src/canary/ports/clock.js';
import type {
  ChangeSummary,
  DesiredState,
  EngineEvent,
  HistoryEntry,
  PlannedChange,
  RunOptions,
  StackOutputs,
  StackRunner,
} from '../../src/canary/ports/stack.js';

/** Where every fake clock starts: 2025-01-01T12:00:00Z. */
export const CLOCK_START = Date.UTC(2025, 0, 1, 12, 0, 0);

// ---------------------------------------------------------------- clock

interface Timer {
  at: number;
  order: number;
  run: () => void;
}

/** Virtual time: `sleep` returns at once, having moved time forward and fired due timers. */
export class FakeClock implements Clock {
  readonly start: number;
  #now: number;
  #timers: Timer[] = [];
  #order = 0;

  constructor(start = CLOCK_START) {
    this.start = start;
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Virtual milliseconds since the clock started. */
  elapsed(): number {
    return this.#now - this.start;
  }

  /** Runs `run` when virtual time reaches `elapsedMs` after the start (e.g. to abort a signal). */
  at(elapsedMs: number, run: () => void): void {
    this.#timers.push({ at: this.start + elapsedMs, order: this.#order++, run });
  }

  /**
   * Moves time forward by `ms`, firing due timers in order; stops at a timer that aborted
   * `signal`, as a real timer would be cut short. Returns false when it stopped early.
   */
  advance(ms: number, signal?: AbortSignal): boolean {
    const target = this.#now + ms;
    for (let timer = this.#due(target); timer; timer = this.#due(target)) {
      this.#timers = this.#timers.filter((other) => other !== timer);
      this.#now = Math.max(this.#now, timer.at);
      timer.run();
      if (signal?.aborted) return false;
    }
    this.#now = target;
    return true;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || !this.advance(ms, signal)) throw abortReason(signal);
  }

  #due(target: number): Timer | undefined {
    return this.#timers
      .filter((timer) => timer.at <= target)
      .sort((a, b) => a.at - b.at || a.order - b.order)[0];
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

// ---------------------------------------------------------------- stack runner

export interface RecordedUp {
  desired: DesiredState;
  /** Virtual time the `up` started. */
  at: number;
  ok: boolean;
  /** The signal the rollout passed (its hard stop), to check a soft interrupt never reaches an `up`. */
  signal: AbortSignal | undefined;
}

export interface FakeStackRunnerOptions {
  /** Moved forward by `upDurationMs` during each `up`, so interrupts can land mid-update. */
  clock?: FakeClock;
  upDurationMs?: number;
  /** The outputs before the first `up`. */
  outputs?: StackOutputs | null;
  /**
   * An error makes the `index`-th `up` (from 0) fail after its duration, the engine having begun
   * changing a resource (its outputs stay as they were).
   */
  failUp?: (desired: DesiredState, index: number) => Error | undefined;
  /** An error makes the `index`-th `up` fail at once, before the engine changed anything. */
  /** When the engine records an update's end, from the clock when the update returns (default: not reported). */
  engineEndedAt?: (now: number) => number;
  failBeforeChange?: (desired: DesiredState, index: number) => Error | undefined;
  /** Called as each `up` starts (e.g. to interleave ups with events in one log). */
  onUp?: (desired: DesiredState, index: number) => void;
}

/** What the engine says as it starts changing a resource: an `up` failing after it did changed something. */
const CHANGE_STARTED: EngineEvent = {
  kind: 'resource-start',
  type: 'aws:ecs/service:Service',
  name: 'service-green',
  operation: 'create',
};

/** A stack that remembers the last successful `up` as its outputs. */
export class FakeStackRunner implements StackRunner {
  readonly ups: RecordedUp[] = [];
  current: StackOutputs | null;
  readonly #options: FakeStackRunnerOptions;

  constructor(options: FakeStackRunnerOptions = {}) {
    this.#options = options;
    this.current = options.outputs ?? null;
  }

  /** The desired states of the `up`s that succeeded, in order. */
  get applied(): DesiredState[] {
    return this.ups.filter((up) => up.ok).map((up) => up.desired);
  }

  async preview(): Promise<PlannedChange[]> {
    return [];
  }

  async up(desired: DesiredState, options?: RunOptions): Promise<ChangeSummary> {
    const index = this.ups.length;
    const at = this.#options.clock?.now() ?? 0;
    this.#options.onUp?.(desired, index);
    const early = this.#options.failBeforeChange?.(desired, index);
    if (early) {
      this.ups.push({ desired, at, ok: false, signal: options?.signal });
      throw early;
    }
    this.#options.clock?.advance(this.#options.upDurationMs ?? 0);
    const failed = this.#options.failUp?.(desired, index);
    if (failed) options?.onEvent?.(CHANGE_STARTED);
    const error =
      failed ?? (options?.signal?.aborted ? new Error('update canceled by a second interrupt') : undefined);
    this.ups.push({ desired, at, ok: error === undefined, signal: options?.signal });
    if (error) throw error;
    this.current = outputsOf(desired);
    const endedAt = this.#options.engineEndedAt?.(this.#options.clock?.now() ?? 0);
    return { changes: { update: 1 }, ...(endedAt === undefined ? {} : { endedAt }) };
  }

  async destroy(): Promise<ChangeSummary> {
    this.current = null;
    return { changes: {} };
  }

  async outputs(): Promise<StackOutputs | null> {
    return this.current;
  }

  async history(): Promise<HistoryEntry[]> {
    return [];
  }

  async cancel(): Promise<void> {}

  async clearPending(): Promise<boolean> {
    return false;
  }

  async remove(): Promise<void> {
    this.current = null;
  }
}

/** The outputs a real stack would report after `desired` was applied. */
export function outputsOf(desired: DesiredState): StackOutputs {
  const { accountId, region } = desired.environment;
  const targetGroupArns: Partial<Record<Slot, string[]>> = {};
  const serviceNames: Partial<Record<Slot, string>> = {};
  const slots: StackOutputs['slots'] = {};
  for (const [slot, config] of releasedSlots(desired)) {
    slots[slot] = desired.environment.slots[slot];
    const { name } = config.service;
    serviceNames[slot] = `${name}-${slot}`;
    targetGroupArns[slot] = config.target_groups.map(
      (group) =>
        `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${name}-${slot}-${group.container.port}/0123456789abcdef`,
    );
  }
  return {
    meta: desired.meta,
    releases: desired.releases,
    weights: desired.weights,
    targetGroupArns,
    serviceNames,
    slots,
    listeners: desired.listeners,
  };
}

function releasedSlots(desired: DesiredState): [Slot, NonNullable<DesiredState['releases'][Slot]>][] {
  const slots: Slot[] = ['blue', 'green'];
  return slots.flatMap((slot) => {
    const config = desired.releases[slot];
    return config ? [[slot, config] as [Slot, typeof config]] : [];
  });
}

// ---------------------------------------------------------------- health probe

/** What the candidate looks like at one moment. */
export type HealthCondition =
  /** No ECS service. */
  | 'missing'
  /** The service exists but no task ever runs (no failed task either). */
  | 'not-running'
  /** Tasks running, targets registered and still `initial`. */
  | 'starting'
  | 'healthy'
  /** Tasks running, every target `unhealthy`. */
  | 'unhealthy'
  /** The deployment's tasks keep stopping with an error: as many as the gate's default limit. */
  | 'crashed';

export interface ProbeContext {
  /** Virtual milliseconds since the clock started. */
  elapsedMs: number;
  /** 0 for the first observation. */
  call: number;
  candidate: CandidateRef;
}

/** An observation, or an error the probe throws (an AWS outage, throttling). */
export type HealthScript = (context: ProbeContext) => Observation | Error;

/** A probe that answers from a script. */
export class FakeHealthProbe implements HealthProbe {
  readonly calls: { at: number; candidate: CandidateRef }[] = [];
  readonly #clock: FakeClock;
  readonly #script: HealthScript;

  constructor(clock: FakeClock, script: HealthScript) {
    this.#clock = clock;
    this.#script = script;
  }

  async observe(candidate: CandidateRef): Promise<Observation> {
    const call = this.calls.length;
    this.calls.push({ at: this.#clock.now(), candidate });
    const answer = this.#script({ elapsedMs: this.#clock.elapsed(), call, candidate });
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** A script answering `pick(context)` for a candidate of `desired` tasks. */
export function conditionScript(
  desired: number,
  pick: (context: ProbeContext) => HealthCondition,
): HealthScript {
  return (context) =>
    observationOf(context.candidate, pick(context), desired, CLOCK_START + context.elapsedMs);
}

/**
 * A script from a timeline: each phase holds from `fromMs` (virtual ms since the start) until
 * the next one; before the first, the candidate is `starting`.
 */
export function healthTimeline(
  desired: number,
  phases: readonly { fromMs: number; condition: HealthCondition }[],
): HealthScript {
  return conditionScript(desired, ({ elapsedMs }) => {
    let condition: HealthCondition = 'starting';
    for (const phase of phases) if (elapsedMs >= phase.fromMs) condition = phase.condition;
    return condition;
  });
}

/** One observation of `candidate` in `condition`. */
export function observationOf(
  candidate: CandidateRef,
  condition: HealthCondition,
  desired: number,
  at = CLOCK_START,
): Observation {
  const targets = (state: TargetState, total: number) =>
    candidate.targetGroupArns.map((targetGroupArn) => ({
      targetGroupArn,
      counts: { ...NO_TARGETS, [state]: total },
      total,
      reasons: state === 'unhealthy' ? ['Target.ResponseCodeMismatch'] : [],
    }));
  const service = (running: number) => ({ desired, running, pending: desired - running, failedTasks: [] });
  switch (condition) {
    case 'missing':
      return { at, targetGroups: targets('healthy', 0), service: null };
    case 'not-running':
      return { at, targetGroups: targets('healthy', 0), service: service(0) };
    case 'starting':
      return { at, targetGroups: targets('initial', desired), service: service(desired) };
    case 'healthy':
      return { at, targetGroups: targets('healthy', desired), service: service(desired) };
    case 'unhealthy':
      return { at, targetGroups: targets('unhealthy', desired), service: service(desired) };
    case 'crashed':
      return {
        at,
        targetGroups: targets('healthy', 0),
        service: {
          ...service(0),
          failedTasks: Array.from({ length: failedTaskLimit(desired) }, (_, index) => ({
            taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/main/${String(index).repeat(32)}`,
            stoppedReason: 'Essential container in task exited',
          })),
        },
      };
    default: {
      const unknown: never = condition;
      throw new Error(`unknown condition ${String(unknown)}`);
    }
  }
}

const NO_TARGETS = noTargets();

// ---------------------------------------------------------------- reporter

/** Keeps every event; `reporter` is what `runRollout` takes. */
export class RecordingReporter {
  readonly events: ProgressEvent[] = [];
  readonly reporter = (event: ProgressEvent): void => {
    this.events.push(event);
  };

  /** The codes, in order, without the chatty ones (engine output, ticks, repeated observations). */
  codes(): ProgressEventCode[] {
    return this.events.filter((event) => event.level !== 'debug').map((event) => event.code);
  }

  /** The events of one code, typed. */
  of<C extends ProgressEventCode>(code: C): ProgressEventOf<C>[] {
    return this.events.filter((event): event is ProgressEventOf<C> => event.code === code);
  }
}
