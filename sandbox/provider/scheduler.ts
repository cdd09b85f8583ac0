/**
 * The part of the ECS scheduler moto lacks. moto never runs tasks: a service's runningCount is
 * only what UpdateService(desiredCount) last said, and no target is ever registered. Here a
 * service with N desired tasks gets N targets in each of its target groups, and its running
 * count set to N. `SANDBOX_HEALTH` in a container's environment picks the outcome:
 * - `unhealthy` / `initial`: the targets are registered, and the target group is tagged
 *   `sandbox:health=<state>` so the moto wrapper reports them in that state;
 * - `crash`: the service is tagged `sandbox:health=crash` (the wrapper then holds its running
 *   count at 0) and no target is registered: the tasks never stay up;
 * - `slow-start`: the target group is tagged `sandbox:health=slow-start`: each target stays
 *   `initial` for a while after its registration (an application slow to answer), then healthy;
 * - `flaky-start`: the service is tagged `sandbox:health=flaky-start` (the wrapper then records
 *   one task of its first deployment stopped with `TaskFailedToStart`, which ECS replaced) and
 *   runs healthy: a transient failure at start, as an IAM role not yet propagated gives.
 */
import { createHash } from 'node:crypto';
import {
  DescribeTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  type TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from './clients.js';

export const HEALTH_TAG = 'sandbox:health';
export const HEALTH_ENV = 'SANDBOX_HEALTH';

/**
 * Sandbox seconds per AWS second for every wait on a drain, as in the moto wrapper (which
 * reads the same variable): a minute of AWS is a second here by default.
 */
export function timeScale(): number {
  const scale = Number(process.env.SANDBOX_TIME_SCALE ?? '');
  return Number.isFinite(scale) && scale > 0 ? scale : 1 / 60;
}

const HEALTH_MODES = ['healthy', 'unhealthy', 'initial', 'crash', 'flaky-start', 'slow-start'] as const;
export type HealthMode = (typeof HEALTH_MODES)[number];

/** The modes the moto wrapper plays through a tag on the target group. */
const TARGET_GROUP_MODES: readonly HealthMode[] = ['unhealthy', 'initial', 'slow-start'];

export interface Placement {
  serviceArn: string;
  serviceName: string;
  cluster: string;
  region?: string;
  desiredCount: number;
  mode: HealthMode;
  loadBalancers: { targetGroupArn: string; containerPort: number }[];
}

/** The outcome the task definition asks for through `SANDBOX_HEALTH` (first container that sets it). */
export async function healthModeOf(
  aws: AwsClients,
  taskDefinition: string,
  region?: string,
): Promise<HealthMode> {
  const found = await aws.ecs(region).send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  for (const container of found.taskDefinition?.containerDefinitions ?? []) {
    const value = container.environment?.find((entry) => entry.name === HEALTH_ENV)?.value;
    const mode = HEALTH_MODES.find((known) => known === value);
    if (mode) return mode;
  }
  return 'healthy';
}

/** Target ids derived from the service ARN, so the targets of one service can be told apart. */
function targetIds(serviceArn: string, targetType: string, count: number, port: number): TargetDescription[] {
  const hash = createHash('sha1').update(serviceArn).digest('hex');
  return Array.from({ length: count }, (_, index) =>
    targetType === 'ip'
      ? { Id: `${ipPrefix(hash)}${index + 1}`, Port: port }
      : // Bridge networking: each task gets a dynamic host port on the instance.
        { Id: `${instancePrefix(hash)}${index.toString(16).padStart(9, '0')}`, Port: 32768 + index },
  );
}

function ipPrefix(hash: string): string {
  return `10.${Number.parseInt(hash.slice(0, 2), 16)}.${Number.parseInt(hash.slice(2, 4), 16)}.`;
}

function instancePrefix(hash: string): string {
  return `i-${hash.slice(0, 8)}`;
}

function isOurs(serviceArn: string, id: string): boolean {
  const hash = createHash('sha1').update(serviceArn).digest('hex');
  return id.startsWith(instancePrefix(hash)) || id.startsWith(ipPrefix(hash));
}

function missing(error: unknown): boolean {
  return /NotFound/.test((error as { name?: string })?.name ?? '');
}

async function registeredTargets(aws: AwsClients, region: string | undefined, targetGroupArn: string) {
  const health = await aws
    .elbv2(region)
    .send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (health.TargetHealthDescriptions ?? []).flatMap((d) => (d.Target?.Id ? [d.Target] : []));
}

async function placeTargets(
  aws: AwsClients,
  placement: Placement,
  targetGroupArn: string,
  count: number,
  port: number,
) {
  const elbv2 = aws.elbv2(placement.region);
  const group = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
  const targetType = group.TargetGroups?.[0]?.TargetType ?? 'instance';
  const wanted = targetIds(placement.serviceArn, targetType, count, port);
  const wantedIds = new Set(wanted.map((t) => t.Id));
  const current = (await registeredTargets(aws, placement.region, targetGroupArn)).filter((t) =>
    isOurs(placement.serviceArn, t.Id ?? ''),
  );
  const extra = current.filter((t) => !wantedIds.has(t.Id));
  if (extra.length > 0)
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: extra }));
  const currentIds = new Set(current.map((t) => t.Id));
  const added = wanted.filter((t) => !currentIds.has(t.Id));
  if (added.length > 0)
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: added }));
}

async function markTargetGroup(
  aws: AwsClients,
  placement: Placement,
  targetGroupArn: string,
  previous?: HealthMode,
) {
  const elbv2 = aws.elbv2(placement.region);
  if (TARGET_GROUP_MODES.includes(placement.mode)) {
    await elbv2.send(
      new AddTagsCommand({
        ResourceArns: [targetGroupArn],
        Tags: [{ Key: HEALTH_TAG, Value: placement.mode }],
      }),
    );
  } else if (previous !== undefined && TARGET_GROUP_MODES.includes(previous)) {
    // Only undo our own mark: a tag put there by hand (a test breaking a target group) stays.
    await elbv2.send(new RemoveTagsCommand({ ResourceArns: [targetGroupArn], TagKeys: [HEALTH_TAG] }));
  }
}

/** Brings the emulator in line with a created or updated service. */
export async function schedule(aws: AwsClients, placement: Placement, previous?: Placement): Promise<void> {
  const ecs = aws.ecs(placement.region);
  if (placement.mode === 'crash' || placement.mode === 'flaky-start') {
    await ecs.send(
      new TagResourceCommand({
        resourceArn: placement.serviceArn,
        tags: [{ key: HEALTH_TAG, value: placement.mode }],
      }),
    );
  } else if (previous?.mode === 'crash' || previous?.mode === 'flaky-start') {
    await ecs.send(new UntagResourceCommand({ resourceArn: placement.serviceArn, tagKeys: [HEALTH_TAG] }));
  }
  // moto sets runningCount = desiredCount on this call (held at 0 by the wrapper for a crash).
  await ecs.send(
    new UpdateServiceCommand({
      cluster: placement.cluster,
      service: placement.serviceName,
      desiredCount: placement.desiredCount,
    }),
  );
  const running = placement.mode === 'crash' ? 0 : placement.desiredCount;
  for (const lb of placement.loadBalancers) {
    await placeTargets(aws, placement, lb.targetGroupArn, running, lb.containerPort);
    await markTargetGroup(aws, placement, lb.targetGroupArn, previous?.mode);
  }
  const kept = new Set(placement.loadBalancers.map((lb) => lb.targetGroupArn));
  for (const lb of previous?.loadBalancers ?? []) {
    if (!kept.has(lb.targetGroupArn) && previous)
      await release(aws, { ...placement, mode: previous.mode }, lb.targetGroupArn);
  }
}

async function release(aws: AwsClients, placement: Placement, targetGroupArn: string): Promise<void> {
  try {
    const ours = (await registeredTargets(aws, placement.region, targetGroupArn)).filter((t) =>
      isOurs(placement.serviceArn, t.Id ?? ''),
    );
    if (ours.length > 0) {
      await aws
        .elbv2(placement.region)
        .send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: ours }));
    }
    if (TARGET_GROUP_MODES.includes(placement.mode)) {
      await aws
        .elbv2(placement.region)
        .send(new RemoveTagsCommand({ ResourceArns: [targetGroupArn], TagKeys: [HEALTH_TAG] }));
    }
  } catch (error) {
    // The target group went first: nothing left to release.
    if (!missing(error)) throw error;
  }
}

/** Before a service is deleted: its targets leave every target group. */
export async function unschedule(aws: AwsClients, placement: Placement): Promise<void> {
  for (const lb of placement.loadBalancers) await release(aws, placement, lb.targetGroupArn);
}
