/**
 * What `status` adds to a paused deployment (`src/canary/status.ts` says since when, at which
 * weight, until when): the candidate's health now, from one look at its ECS service and target
 * groups (the names the stack's outputs record). The look may fail (no credentials, a
 * throttled call): then the health is `unknown` with the error, and `status` still succeeds.
 */
import {
  type CandidateRef,
  type HealthProbe,
  noTargets,
  type Observation,
  type TargetState,
} from '../canary/ports/aws.js';
import type { StackOutputs } from '../canary/ports/stack.js';
import type { DeploymentConfig } from '../config/types.js';
import type { PausedDocument, StatusDocument } from '../ui/documents.js';

/** The candidate at the time of `status`: its tasks and its targets. */
export interface CandidateHealth {
  /** `healthy`: every task running and every target healthy; `missing`: no ECS service. */
  state: 'healthy' | 'unhealthy' | 'starting' | 'missing';
  /** null when the ECS service does not exist. */
  tasks: { desired: number; running: number; pending: number; failed: number } | null;
  /** Over all its target groups. */
  targets: Record<TargetState, number> & { total: number };
  /** Why targets are not healthy, as the ALB says. */
  reasons: string[];
}

/** What one look at a paused candidate adds to `status --json`'s `paused`. */
export interface CandidateLook {
  /** In words, as `status` shows it: `healthy: 2/2 tasks running, 4/4 targets healthy`, `unknown: <error>`. */
  health: string;
  candidate_health: CandidateHealth | null;
  /** Why the candidate could not be looked at; null when it was. */
  health_error: string | null;
}

export type StatusReport = StatusDocument & { paused: (PausedDocument & CandidateLook) | null };

/** One look at the paused candidate; never throws: a failing look is `unknown: <error>`. */
export async function lookAtCandidate(
  outputs: StackOutputs,
  config: DeploymentConfig,
  probe: () => Promise<HealthProbe>,
): Promise<CandidateLook> {
  try {
    const observation = await (await probe()).observe(candidateOf(outputs, config));
    const health = healthOf(observation);
    return { health: healthText(health), candidate_health: health, health_error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { health: `unknown: ${message}`, candidate_health: null, health_error: message };
  }
}

function candidateOf(outputs: StackOutputs, config: DeploymentConfig): CandidateRef {
  const slot = outputs.meta.candidateSlot;
  const serviceName = slot ? outputs.serviceNames[slot] : undefined;
  if (!slot || !serviceName) throw new Error('the stack records no candidate service');
  return {
    cluster: outputs.releases[slot]?.service.cluster ?? config.service.cluster,
    serviceName,
    targetGroupArns: outputs.targetGroupArns[slot] ?? [],
  };
}

export function healthOf(observation: Observation): CandidateHealth {
  const counts = noTargets();
  let total = 0;
  const reasons = new Set<string>();
  for (const group of observation.targetGroups) {
    for (const [state, n] of Object.entries(group.counts) as [TargetState, number][]) counts[state] += n;
    total += group.total;
    for (const reason of group.reasons) reasons.add(reason);
  }
  const { service } = observation;
  const tasks = service
    ? {
        desired: service.desired,
        running: service.running,
        pending: service.pending,
        failed: service.failedTasks.length,
      }
    : null;
  return {
    state: stateOf(tasks, counts, total),
    tasks,
    targets: { ...counts, total },
    reasons: [...reasons],
  };
}

function stateOf(
  tasks: CandidateHealth['tasks'],
  counts: Record<TargetState, number>,
  total: number,
): CandidateHealth['state'] {
  if (!tasks) return 'missing';
  if (counts.unhealthy > 0 || tasks.failed > 0) return 'unhealthy';
  const allUp = tasks.running >= tasks.desired && tasks.pending === 0;
  return allUp && total > 0 && counts.healthy === total ? 'healthy' : 'starting';
}

function healthText(health: CandidateHealth): string {
  const tasks = health.tasks
    ? `${health.tasks.running}/${health.tasks.desired} tasks running${health.tasks.failed > 0 ? `, ${health.tasks.failed} failed` : ''}`
    : 'no ECS service';
  const targets = `${health.targets.healthy}/${health.targets.total} targets healthy`;
  const reasons = health.reasons.length > 0 ? ` (${health.reasons.join('; ')})` : '';
  return `${health.state}: ${tasks}, ${targets}${reasons}`;
}
