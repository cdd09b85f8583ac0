/**
 * Real rollouts for the bench: `runRollout` with ecs-crd's own runner, its real health probe on
 * the sandbox and the system clock, every event stamped with `performance.now()` as it is
 * reported, so that latencies are read off the rollout's own event stream.
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../src/app/clock.js';
import type { ProgressEvent } from '../../src/canary/events.js';
import type { HealthProbe } from '../../src/canary/ports/aws.js';
import type { StackRunner } from '../../src/canary/ports/stack.js';
import { runRollout } from '../../src/canary/rollout/driver.js';
import type { RolloutResult } from '../../src/canary/rollout/types.js';
import { openStackRunner } from '../../src/stack/runner.js';
import { awsPorts, type BenchEnv, type BenchService, type ReleaseFile } from './env.js';

export interface StampedEvent {
  at: number;
  event: ProgressEvent;
}

export interface RolloutRun {
  result: RolloutResult;
  events: StampedEvent[];
}

export interface ServiceRollouts {
  runner: StackRunner;
  /** One whole `runRollout` of `release`, as `deploy` starts it (fresh discovery, previous outputs). */
  run(release: ReleaseFile, hooks?: RolloutHooks): Promise<RolloutRun>;
}

/** Ways to steer a run from outside: wrap the real probe, watch the events as they come. */
export interface RolloutHooks {
  probe?: (real: HealthProbe) => HealthProbe;
  onEvent?: (event: ProgressEvent) => void;
}

export async function serviceRollouts(env: BenchEnv, service: BenchService): Promise<ServiceRollouts> {
  const runner = await openStackRunner({
    identity: service.identity,
    pulumiVersion: env.pulumiVersion,
    backend: env.backend,
    provider: env.provider,
  });
  const ports = await awsPorts(env);
  return {
    runner,
    async run(release, hooks = {}) {
      const [config, environment, previous] = await Promise.all([
        service.load(release),
        service.discover(),
        runner.outputs(),
      ]);
      const events: StampedEvent[] = [];
      env.signal.throwIfAborted();
      const result = await runRollout(
        {
          runner,
          // Ctrl-C on the bench: stop at once (the running `up` is cancelled cleanly).
          hardStop: env.signal,
          probe: hooks.probe ? hooks.probe(ports.probe) : ports.probe,
          metrics: ports.metrics,
          clock: systemClock,
          reporter: (event) => {
            events.push({ at: performance.now(), event });
            hooks.onEvent?.(event);
          },
        },
        { config, environment, identity: service.identity, previous, deploymentId: randomUUID() },
      );
      return { result, events };
    },
  };
}

/** The time of the first event matching `match`, at or after `from`. */
export function firstAt(
  events: readonly StampedEvent[],
  match: (event: ProgressEvent) => boolean,
  from = Number.NEGATIVE_INFINITY,
): number | undefined {
  return events.find((e) => e.at >= from && match(e.event))?.at;
}

export const isUpFinished =
  (purpose: string) =>
  (event: ProgressEvent): boolean =>
    event.code === 'stack.update.finished' && event.data.purpose === purpose && event.data.error === null;

export const isUpStarted =
  (purpose: string) =>
  (event: ProgressEvent): boolean =>
    event.code === 'stack.update.started' && event.data.purpose === purpose;

export const isFailingObservation = (event: ProgressEvent): boolean =>
  event.code === 'health.observed' && event.data.verdict === 'fail';
