/**
 * The ports a rollout runs through, built the same way for `deploy` and `promote`: the stack,
 * the health probe, the clock, the interrupts, CloudWatch, the file's hooks (run from the
 * deployment file's folder) and the control channel a paused run is reached through.
 */
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { EventSink } from '../canary/events.js';
import type { Clock } from '../canary/ports/clock.js';
import type { ControlChannel } from '../canary/ports/control.js';
import type { HookRunner } from '../canary/ports/hooks.js';
import type { LeaseStore } from '../canary/ports/lease.js';
import type { RolloutDeps } from '../canary/rollout/types.js';
import type { DeploymentConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { systemClock } from './clock.js';
import type { AwsContext, ServiceContext } from './service.js';

/** What a command hands a rollout besides the service: how it is interrupted, and its test seams. */
export interface RunPorts {
  reporter: EventSink;
  /** First Ctrl-C: finish the running `up`, then roll back. */
  signal?: AbortSignal;
  /** Second Ctrl-C: stop at once. */
  hardStop?: AbortSignal;
  /** Default: real time (tests pin a fake one). */
  clock?: Clock;
  /** ecs-crd's own version (a webhook's `user-agent`); default `unknown`. */
  toolVersion?: string;
  /** Builds the hook runner for `cwd` (tests: a fake); default the real one, loaded when the file has hooks. */
  hookRunner?: (cwd: string, toolVersion: string) => Promise<HookRunner>;
  /** Opens the control channel (tests: a fake); default the lease store's own. */
  openControl?: (leases: LeaseStore | undefined, stack: string) => ControlChannel | undefined;
}

/** `ana@laptop (pid 4242)`: who asks, in events, requests and reasons. */
export function whoAmI(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No entry in the password database (some containers): the host and pid still say who.
  }
  return `${user}@${hostname()} (pid ${process.pid})`;
}

/** Whether the plan may stop at a pause: only then is the control channel opened. */
export function mayPause(config: DeploymentConfig, wait: boolean): boolean {
  return wait || config.canary.strategy.some((step) => step.pause !== undefined);
}

/** The control channel of the service's stack, beside its lease; undefined when its backend keeps none. */
export function controlOf(
  ctx: Pick<ServiceContext, 'leases' | 'stack'>,
  ports: Pick<RunPorts, 'openControl'>,
): ControlChannel | undefined {
  return (ports.openControl ?? defaultControl)(ctx.leases, ctx.stack);
}

function defaultControl(leases: LeaseStore | undefined, stack: string): ControlChannel | undefined {
  return leases?.control(stack);
}

/**
 * `--wait` waits for a `promote` that can only reach this run through the control channel:
 * refused (before anything changes) where the backend has none.
 */
export function refuseWaitWithoutControl(ctx: Pick<ServiceContext, 'backend'>, control: unknown): void {
  if (control !== undefined) return;
  throw new UsageError(
    `--wait needs a control channel, and the backend ${ctx.backend.url} keeps none: no \`ecs-crd promote\` could reach a waiting run.`,
    {
      hint: 'Deploy without --wait: the deployment stops at the pause, and `ecs-crd promote` (or `rollback`) goes on from there, from any machine.',
    },
  );
}

/**
 * The rollout's ports for the service; `control` as opened by the caller (once, before the
 * lease). `lost`: the lease's signal that another run took it over, which stops the rollout at
 * once, as a second Ctrl-C does (no further change; the run that took over decides).
 */
export async function rolloutDeps(
  { aws, ctx }: { aws: AwsContext; ctx: ServiceContext },
  ports: RunPorts,
  control: ControlChannel | undefined,
  lost?: AbortSignal,
): Promise<RolloutDeps> {
  const stops = [ports.hardStop, lost].filter((signal): signal is AbortSignal => signal !== undefined);
  const hardStop = stops.length > 1 ? AbortSignal.any(stops) : stops[0];
  const hooks = ctx.config.canary.hooks
    ? await (ports.hookRunner ?? loadHookRunner)(dirname(ctx.file), ports.toolVersion ?? 'unknown')
    : undefined;
  return {
    runner: ctx.runner,
    probe: aws.probe,
    clock: ports.clock ?? systemClock,
    reporter: ports.reporter,
    ...(ports.signal ? { signal: ports.signal } : {}),
    ...(hardStop ? { hardStop } : {}),
    ...(lost ? { leaseLost: lost } : {}),
    metrics: aws.metrics,
    ...(hooks ? { hooks } : {}),
    ...(control ? { control } : {}),
  };
}

/** The real hook runner, loaded only by a run whose file has hooks. */
export async function loadHookRunner(cwd: string, version: string): Promise<HookRunner> {
  const { createHookRunner } = await import('../hooks/runner.js');
  return createHookRunner({ cwd, version });
}
