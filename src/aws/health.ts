/**
 * The health probe: one look at a candidate release — the state of every target of
 * its target groups, and its ECS service's counts and failed tasks. Implements the
 * `HealthProbe` port; it reports, the rollout's gate decides.
 */
import type { Deployment, Task } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  type CandidateRef,
  type HealthProbe,
  noTargets,
  type Observation,
  type ServiceObservation,
  type TargetGroupObservation,
  type TargetState,
} from '../canary/ports/aws.js';
import type { Clock } from '../canary/ports/clock.js';
import { EcsCrdError } from '../errors.js';
import type { AwsClients, EcsApi, Elbv2Api } from './clients.js';
import { allPages, chunk } from './util.js';

/** ListTasks and DescribeTasks take at most 100 tasks per call. */
const TASKS_BATCH = 100;

/** The `HealthProbe` port over real (or faked) ELBv2 and ECS clients. */
export function createHealthProbe(
  clients: Pick<AwsClients, 'elbv2' | 'ecs'>,
  clock: Pick<Clock, 'now'> = { now: () => Date.now() },
): HealthProbe {
  return {
    async observe(candidate: CandidateRef): Promise<Observation> {
      // Stamped when the look begins, so a slow call never makes the data look newer than it is.
      const at = clock.now();
      const [targetGroups, service] = await Promise.all([
        Promise.all(candidate.targetGroupArns.map((arn) => observeTargetGroup(clients.elbv2, arn))),
        observeService(clients.ecs, candidate.cluster, candidate.serviceName),
      ]);
      return { at, targetGroups, service };
    },
  };
}

// ---------------------------------------------------------------- target groups

async function observeTargetGroup(elbv2: Elbv2Api, targetGroupArn: string): Promise<TargetGroupObservation> {
  // DescribeTargetHealth is not paginated: one call returns every registered target.
  const { TargetHealthDescriptions = [] } = await elbv2.describeTargetHealth({
    TargetGroupArn: targetGroupArn,
  });
  return summarizeTargetHealth(targetGroupArn, TargetHealthDescriptions);
}

/** ELBv2's target states as ours; `unhealthy.draining` (failed and being drained) counts as unhealthy. */
const TARGET_STATES: Readonly<Record<string, TargetState>> = {
  healthy: 'healthy',
  unhealthy: 'unhealthy',
  'unhealthy.draining': 'unhealthy',
  initial: 'initial',
  draining: 'draining',
  unused: 'unused',
  unavailable: 'unavailable',
};

/** Counts every target per state and collects the distinct reasons of those not healthy. */
export function summarizeTargetHealth(
  targetGroupArn: string,
  descriptions: readonly TargetHealthDescription[],
): TargetGroupObservation {
  const counts = noTargets();
  const reasons = new Set<string>();
  for (const { TargetHealth: health } of descriptions) {
    // A state this code does not know yet is not a healthy one.
    const state = TARGET_STATES[health?.State ?? ''] ?? 'unavailable';
    counts[state] += 1;
    const reason = [health?.Reason, health?.Description].filter(Boolean).join(': ');
    if (state !== 'healthy' && reason !== '') reasons.add(reason);
  }
  return { targetGroupArn, counts, total: descriptions.length, reasons: [...reasons] };
}

// ---------------------------------------------------------------- ECS service

async function observeService(
  ecs: EcsApi,
  cluster: string,
  serviceName: string,
): Promise<ServiceObservation | null> {
  const { services = [], failures = [] } = await ecs.describeServices({ cluster, services: [serviceName] });
  const unexpected = failures.find((failure) => failure.reason !== 'MISSING');
  if (unexpected !== undefined) {
    throw new EcsCrdError(
      `AWS ECS DescribeServices could not describe ${serviceName} in ${cluster}: ${unexpected.reason}${unexpected.detail ? ` (${unexpected.detail})` : ''}`,
    );
  }
  const service = services[0];
  // A deleted service is DRAINING while its targets drain, then listed as INACTIVE for a
  // while: either way, for us it is gone.
  if (service === undefined || service.status === 'INACTIVE' || service.status === 'DRAINING') return null;
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  return {
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
    failedTasks: primary === undefined ? [] : await failedTasks(ecs, cluster, serviceName, primary),
  };
}

async function failedTasks(
  ecs: EcsApi,
  cluster: string,
  serviceName: string,
  deployment: Deployment,
): Promise<ServiceObservation['failedTasks']> {
  const pages = await allPages(
    (nextToken: string | undefined) =>
      ecs.listTasks({ cluster, serviceName, desiredStatus: 'STOPPED', nextToken, maxResults: TASKS_BATCH }),
    (page) => page.nextToken,
  );
  const failed: ServiceObservation['failedTasks'] = [];
  for (const tasks of chunk(
    pages.flatMap((page) => page.taskArns ?? []),
    TASKS_BATCH,
  )) {
    const described = await ecs.describeTasks({ cluster, tasks });
    for (const task of described.tasks ?? []) {
      const stoppedReason = belongsTo(task, deployment) ? taskFailure(task) : undefined;
      if (stoppedReason !== undefined) failed.push({ taskArn: task.taskArn ?? '', stoppedReason });
    }
  }
  return failed;
}

/** A service's tasks carry their deployment's id in `startedBy`; without it, the task definition tells. */
function belongsTo(task: Task, deployment: Deployment): boolean {
  return task.startedBy === undefined
    ? task.taskDefinitionArn === deployment.taskDefinition
    : task.startedBy === deployment.id;
}

/** Stop codes that always mean the task failed (a service's tasks are meant to run for ever). */
const FAILED_STOP_CODES = new Set(['TaskFailedToStart', 'EssentialContainerExited']);
/** Stop codes of tasks stopped on purpose: the SIGTERM/SIGKILL exit codes that follow are no failure. */
const DELIBERATE_STOP_CODES = new Set([
  'UserInitiated',
  'ServiceSchedulerInitiated',
  'SpotInterruption',
  'TerminationNotice',
]);
/** The scheduler stops (ServiceSchedulerInitiated) a task that fails its health checks. */
const FAILED_HEALTH_CHECKS = /failed (ELB|container) health checks?/i;

/**
 * Why a stopped task failed, or undefined when it stopped on purpose: the task's own
 * `stoppedReason`, followed by every container that exited non-zero or could not start.
 */
export function taskFailure(task: Task): string | undefined {
  const stopCode = task.stopCode ?? '';
  const stoppedReason = task.stoppedReason ?? '';
  const broken = (task.containers ?? []).filter(
    (container) =>
      (container.exitCode !== undefined && container.exitCode !== 0) || container.reason !== undefined,
  );
  const failed =
    FAILED_STOP_CODES.has(stopCode) ||
    FAILED_HEALTH_CHECKS.test(stoppedReason) ||
    (!DELIBERATE_STOP_CODES.has(stopCode) && broken.length > 0);
  if (!failed) return undefined;
  const details = broken.map(
    (container) =>
      `${container.name ?? 'container'} ${container.exitCode === undefined ? 'did not run' : `exited with code ${container.exitCode}`}${container.reason ? ` (${container.reason})` : ''}`,
  );
  return [stoppedReason || stopCode || 'stopped', ...details].join('; ');
}
