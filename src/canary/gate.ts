/**
 * The health gate: one observation of the candidate in, `pass | wait | fail` out.
 * Pure: the rollout supplies the time, the deadline and whether the candidate has already
 * been healthy; the probe only reports.
 */
import type { Observation, TargetGroupObservation, TargetState } from './ports/aws.js';

export type GateVerdict = 'pass' | 'wait' | 'fail';

/** Why the gate said what it said; stable, for reporters and tests. */
export type GateCode =
  | 'healthy'
  | 'task-failed'
  | 'target-unhealthy'
  | 'timeout'
  | 'service-missing'
  | 'tasks-not-running'
  | 'no-target-groups'
  | 'too-few-targets'
  | 'targets-not-healthy';

export interface GateInput {
  observation: Observation;
  /** `canary.scale.desired`: the least number of targets each target group must hold. */
  desired: number;
  /** Stopped tasks of the deployment at which it fails (see `failedTaskLimit`). */
  failedTaskLimit: number;
  /** The candidate passed the gate before: from then on an `unhealthy` target fails at once. */
  wasHealthy: boolean;
  /** Epoch milliseconds the verdict is given at. */
  now: number;
  /** Epoch milliseconds by which the candidate must be healthy; at or after it, not healthy = fail. */
  deadline: number;
}

export interface GateResult {
  verdict: GateVerdict;
  code: GateCode;
  reason: string;
  /** Healthy and registered targets summed over the candidate's target groups (for the live view). */
  healthy: number;
  total: number;
}

/**
 * How many tasks of a deployment may fail before it is judged failed: the file's
 * `canary.health.failed_tasks`, else the ECS deployment circuit breaker's threshold — half the
 * desired count, at least 3 and at most 200 (ECS Developer Guide, "deployment circuit
 * breaker"). A first task stopping on a transient cause (a role created in the same update
 * not yet usable, an image pull throttled) is replaced by ECS, as it would be without ecs-crd.
 */
export function failedTaskLimit(desired: number, configured?: number): number {
  return configured ?? Math.min(200, Math.max(3, Math.ceil(desired / 2)));
}

/**
 * Judges one observation:
 * - as many failed tasks of the deployment as `failedTaskLimit` → fail at once;
 * - an `unhealthy` target after the candidate had been healthy → fail at once;
 * - the ECS service running its desired count and every target group holding at least
 *   `desired` targets, all healthy → pass;
 * - otherwise wait, or fail once `deadline` is reached.
 */
export function evaluateGate(input: GateInput): GateResult {
  const { observation, desired } = input;
  const healthy = sum(observation.targetGroups, (group) => group.counts.healthy);
  const total = sum(observation.targetGroups, (group) => group.total);
  const result = (verdict: GateVerdict, code: GateCode, reason: string): GateResult => ({
    verdict,
    code,
    reason,
    healthy,
    total,
  });

  const failed = observation.service?.failedTasks ?? [];
  if (failed.length > 0 && failed.length >= input.failedTaskLimit) {
    return result(
      'fail',
      'task-failed',
      `${stoppedText(failed)} (the limit is ${input.failedTaskLimit}: canary.health.failed_tasks)`,
    );
  }
  // Below the limit, ECS replaces them: the candidate is judged on what runs now.
  const replaced = failed.length > 0 ? `; ${stoppedText(failed)}, replaced by ECS` : '';

  if (input.wasHealthy) {
    const sick = observation.targetGroups.find((group) => group.counts.unhealthy > 0);
    if (sick) {
      return result(
        'fail',
        'target-unhealthy',
        `${sick.counts.unhealthy} unhealthy target(s) in ${shortName(sick.targetGroupArn)} after the candidate had been healthy${reasonsOf(sick)}`,
      );
    }
  }

  const pending = pendingReason(observation, desired);
  if (!pending) {
    return result('pass', 'healthy', `${healthy}/${total} targets healthy, all tasks running${replaced}`);
  }
  if (input.now >= input.deadline)
    return result('fail', 'timeout', `not healthy in time: ${pending.reason}${replaced}`);
  return result('wait', pending.code, `${pending.reason}${replaced}`);
}

/** `task <id> stopped: <reason>`, or `N tasks stopped: <id>: <reason>; …` with every task's reason. */
function stoppedText(failed: readonly { taskArn: string; stoppedReason: string }[]): string {
  const [only] = failed;
  if (failed.length === 1 && only) return `task ${shortId(only.taskArn)} stopped: ${only.stoppedReason}`;
  return `${failed.length} tasks stopped: ${failed.map((task) => `${shortId(task.taskArn)}: ${task.stoppedReason}`).join('; ')}`;
}

/** The first reason the candidate is not (yet) healthy, or null when it is. */
function pendingReason(observation: Observation, desired: number): { code: GateCode; reason: string } | null {
  const { service } = observation;
  if (!service) return { code: 'service-missing', reason: 'the ECS service does not exist (yet)' };
  if (service.running !== service.desired) {
    return {
      code: 'tasks-not-running',
      reason: `${service.running}/${service.desired} tasks running${service.pending > 0 ? `, ${service.pending} pending` : ''}`,
    };
  }
  if (observation.targetGroups.length === 0) {
    return { code: 'no-target-groups', reason: 'no target group of the candidate to observe' };
  }
  for (const group of observation.targetGroups) {
    if (group.total < desired) {
      return {
        code: 'too-few-targets',
        reason: `${shortName(group.targetGroupArn)}: ${group.total} target(s) registered, ${desired} wanted`,
      };
    }
    if (group.counts.healthy < group.total) {
      return {
        code: 'targets-not-healthy',
        reason: `${shortName(group.targetGroupArn)}: ${group.counts.healthy}/${group.total} healthy (${describeCounts(group)})${reasonsOf(group)}`,
      };
    }
  }
  return null;
}

const NOT_HEALTHY: readonly TargetState[] = ['initial', 'unhealthy', 'draining', 'unused', 'unavailable'];

function describeCounts(group: TargetGroupObservation): string {
  return NOT_HEALTHY.filter((state) => group.counts[state] > 0)
    .map((state) => `${group.counts[state]} ${state}`)
    .join(', ');
}

function reasonsOf(group: TargetGroupObservation): string {
  return group.reasons.length > 0 ? `: ${group.reasons.join('; ')}` : '';
}

/** `arn:…:targetgroup/<name>/<id>` → `<name>`; anything else unchanged. */
function shortName(targetGroupArn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(targetGroupArn)?.[1] ?? targetGroupArn;
}

/** `arn:…:task/<cluster>/<id>` → `<id>`. */
function shortId(arn: string): string {
  return arn.split('/').at(-1) ?? arn;
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}
