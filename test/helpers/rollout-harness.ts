/**
 * Runs a whole rollout against the fakes, from a few knobs: the canary section, whether a
 * release is live, the candidate's health, failing `up`s and interrupts at virtual times.
 * Keeps one log interleaving every `up` with every event, for the ordering properties.
 */
import type { ProgressEvent } from '../../src/canary/events.js';
import { createInterruptController } from '../../src/canary/interrupt.js';
import type { DesiredState, StackOutputs } from '../../src/canary/ports/stack.js';
import { resumeRollout, runRollout } from '../../src/canary/rollout/driver.js';
import type { RolloutDeps, RolloutResult } from '../../src/canary/rollout/types.js';
import type { CanaryConfig, DeploymentConfig, ServiceConfig } from '../../src/config/types.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildIdentity,
  buildMeta,
  buildSlotListener,
} from './builders.js';
import { FakeControlChannel, FakeHookRunner, type HookAnswer, type RecordedHook } from './fake-hooks.js';
import { FakeMetricsSource } from './fake-metrics.js';
import {
  FakeClock,
  FakeHealthProbe,
  FakeStackRunner,
  type HealthScript,
  healthTimeline,
  outputsOf,
  RecordingReporter,
} from './fakes.js';

export const STABLE_VERSION = '1.0.0';
export const CANDIDATE_VERSION = '2.0.0';

export type LogEntry =
  | { kind: 'up'; index: number; desired: DesiredState }
  | { kind: 'event'; event: ProgressEvent };

export interface ScenarioOptions {
  canary?: Partial<CanaryConfig>;
  /** Overrides of the candidate's `service` section. */
  service?: Partial<ServiceConfig>;
  /** No live release before this run. */
  firstDeployment?: boolean;
  /** The candidate's health; default: healthy from the start. */
  health?: HealthScript;
  /** The candidate's health as a function of the stack (e.g. sick once it gets 50 %); wins over `health`. */
  healthFrom?: (runner: FakeStackRunner) => HealthScript;
  upDurationMs?: number;
  failUp?: (desired: DesiredState, index: number) => Error | undefined;
  /** When the engine records each update's end, from the clock when the update returns. */
  engineEndedAt?: (now: number) => number;
  /** An `up` that fails before the engine changed anything. */
  failBeforeChange?: (desired: DesiredState, index: number) => Error | undefined;
  /** Virtual ms after the start of the first interrupt (0: before the run), and of a double one. */
  interruptAtMs?: number;
  hardStopAtMs?: number;
  /** Virtual ms after the start when another run takes this run's lease over (`rollback --force`). */
  leaseLostAtMs?: number;
  /** The outputs before the run; default: the stable release live on blue (or none). */
  previous?: StackOutputs | null;
  /** CloudWatch as the run sees it (`canary.analysis`); default: quiet windows, alarms OK. */
  metrics?: (runner: FakeStackRunner, clock: FakeClock) => FakeMetricsSource;
  /** How each hook answers; default: passes after 1 s. */
  hookAnswer?: (call: RecordedHook, index: number) => HookAnswer;
  /** Requests left on the control channel, at virtual times. */
  control?: (channel: FakeControlChannel) => void;
  /** `deploy --wait`. */
  waitForPromotion?: boolean;
  /** Run `resumeRollout` on `previous` (a paused stack) instead of `runRollout`. */
  resume?: { full?: boolean; by?: string };
  /** Leave the hook runner out of the ports. */
  noHookRunner?: boolean;
  /** Leave the control channel out of the ports. */
  noControl?: boolean;
}

export interface Scenario {
  result: RolloutResult;
  runner: FakeStackRunner;
  probe: FakeHealthProbe;
  clock: FakeClock;
  reports: RecordingReporter;
  log: LogEntry[];
  config: DeploymentConfig;
  /** The live release's spec before the run; null on a first deployment. */
  stableConfig: DeploymentConfig | null;
  /** The soft interrupt signal, to check no `up` was given it. */
  softSignal: AbortSignal;
  /** The stack's outputs before the run. */
  previous: StackOutputs | null;
  metrics: FakeMetricsSource;
  hooks: FakeHookRunner;
  control: FakeControlChannel;
}

/**
 * The stack after a finished deployment of `STABLE_VERSION` on blue. Its listener rule holds
 * priority 7, where a fresh discovery would pick 10: the live release must keep its 7.
 */
export function stableOutputs(config = buildConfig({ service: { version: STABLE_VERSION } })): StackOutputs {
  return outputsOf(
    buildDesiredState({
      environment: buildEnvironment({
        slots: { blue: { listeners: [buildSlotListener('blue', { priority: 7 })] } },
      }),
      releases: { blue: config },
      weights: { blue: 100, green: 0 },
      meta: buildMeta({ liveSlot: 'blue', liveVersion: STABLE_VERSION }),
    }),
  );
}

/**
 * The stack paused at 10 % (the first of two shifts) by deployment `d-paused` of
 * `CANDIDATE_VERSION` on green, `STABLE_VERSION` live on blue.
 */
export function pausedOutputs(): StackOutputs {
  const stable = stableOutputs();
  const candidate = buildConfig({ service: { version: CANDIDATE_VERSION } });
  const since = '2025-01-01T12:02:20.000Z';
  return {
    ...outputsOf(
      buildDesiredState({
        environment: buildEnvironment({ slots: { blue: stable.slots?.blue ?? {} } }),
        releases: { ...stable.releases, green: candidate },
        weights: { blue: 90, green: 10 },
        meta: buildMeta({
          phase: 'paused',
          liveSlot: 'blue',
          liveVersion: STABLE_VERSION,
          deploymentId: 'd-paused',
          candidateVersion: CANDIDATE_VERSION,
          candidateSlot: 'green',
          step: 0,
          outcome: 'paused',
          pause: { since, weight: 10, until: null },
        }),
      }),
    ),
  };
}

/** Builds the fakes, runs `runRollout` once, returns everything to assert on. */
export async function runScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const clock = new FakeClock();
  const log: LogEntry[] = [];
  const previous =
    options.previous !== undefined ? options.previous : options.firstDeployment ? null : stableOutputs();
  const runner = new FakeStackRunner({
    clock,
    upDurationMs: options.upDurationMs ?? 5_000,
    outputs: previous,
    ...(options.failUp ? { failUp: options.failUp } : {}),
    ...(options.failBeforeChange ? { failBeforeChange: options.failBeforeChange } : {}),
    ...(options.engineEndedAt ? { engineEndedAt: options.engineEndedAt } : {}),
    onUp: (desired, index) => log.push({ kind: 'up', index, desired }),
  });
  const config = buildConfig({
    service: { ...options.service, version: CANDIDATE_VERSION },
    canary: options.canary ?? {},
  });
  const script =
    options.healthFrom?.(runner) ??
    options.health ??
    healthTimeline(config.canary.scale.desired, [{ fromMs: 0, condition: 'healthy' }]);
  const probe = new FakeHealthProbe(clock, script);
  const metrics = options.metrics?.(runner, clock) ?? new FakeMetricsSource(clock);
  const reports = new RecordingReporter();
  const interrupts = createInterruptController();
  // At 0 the interrupt comes before the run starts; later ones fire as virtual time passes.
  if (options.interruptAtMs === 0) interrupts.interrupt();
  else if (options.interruptAtMs !== undefined) clock.at(options.interruptAtMs, () => interrupts.interrupt());
  if (options.hardStopAtMs !== undefined) {
    const at = options.hardStopAtMs;
    clock.at(at, () => {
      interrupts.interrupt();
      interrupts.interrupt();
    });
  }
  const lost = new AbortController();
  if (options.leaseLostAtMs !== undefined) {
    clock.at(options.leaseLostAtMs, () => lost.abort(new Error('Another run took the stack over')));
  }
  const hooks = new FakeHookRunner(clock, options.hookAnswer);
  const control = new FakeControlChannel(clock);
  options.control?.(control);
  const deps: RolloutDeps = {
    runner,
    probe,
    clock,
    reporter: (event) => {
      log.push({ kind: 'event', event });
      reports.reporter(event);
    },
    signal: interrupts.signal,
    hardStop: AbortSignal.any([interrupts.hardStop, lost.signal]),
    leaseLost: lost.signal,
    metrics,
    ...(options.noHookRunner ? {} : { hooks }),
    ...(options.noControl ? {} : { control }),
  };
  const waitForPromotion = options.waitForPromotion === true;
  const result =
    options.resume && previous
      ? await resumeRollout(deps, {
          environment: buildEnvironment(),
          identity: buildIdentity(),
          outputs: previous,
          full: options.resume.full === true,
          by: options.resume.by ?? 'ana@laptop (pid 4242)',
          waitForPromotion,
          ...(config.canary.hooks ? { hooks: config.canary.hooks } : {}),
        })
      : await runRollout(deps, {
          config,
          environment: buildEnvironment(),
          identity: buildIdentity(),
          previous,
          deploymentId: 'd-test-0001',
          waitForPromotion,
        });
  const liveSlot = previous?.meta.liveSlot;
  const stableConfig = liveSlot ? (previous?.releases[liveSlot] ?? null) : null;
  return {
    result,
    runner,
    probe,
    clock,
    reports,
    log,
    config,
    stableConfig,
    softSignal: interrupts.signal,
    previous,
    metrics,
    hooks,
    control,
  };
}
