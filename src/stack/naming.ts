/**
 * Every name the stack gives to things: the Pulumi stack, the AWS physical names (within each
 * service's character set and length limit) and the program's logical resource names. Pure
 * and deterministic, so a rerun declares the same names and the engine sees no change.
 */
import { createHash } from 'node:crypto';
import type { Slot } from '../canary/ports/aws.js';
import type { StackIdentity } from '../canary/ports/stack.js';
import type { ContainerPortRef } from '../config/types.js';

/** How many hex digits of SHA-256 a shortened or sanitised name carries. */
const HASH_LENGTH = 6;

const shortHash = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);

/**
 * `raw` with every character outside `allowed` (a one-character class) replaced by `-`,
 * and cut to `max`. A name that had to change carries a hash of `raw`, so two different raw
 * names never end up as the same name.
 */
function fitName(raw: string, allowed: RegExp, max: number): string {
  const clean = [...raw].map((c) => (allowed.test(c) ? c : '-')).join('');
  if (clean === raw && clean.length <= max) return clean;
  const suffix = `-${shortHash(raw)}`;
  return clean.slice(0, max - suffix.length).replace(/-+$/, '') + suffix;
}

/** The Pulumi stack of a service: `<project>-<name>-<environment>-<region>`. */
export function stackName(identity: StackIdentity): string {
  // The CLI allows letters, digits, `-`, `_` and `.`, up to 100 characters.
  return fitName(
    `${identity.project}-${identity.name}-${identity.environment}-${identity.region}`,
    /[A-Za-z0-9_.-]/,
    100,
  );
}

/**
 * The name of a slot's release: `<project>-<name>-<environment>-<slot>`, for its task
 * definition family and its ECS service. Service names are unique per cluster among ACTIVE
 * and DRAINING services, and one cluster often hosts several environments and projects:
 * every part of the stack's identity but the region (a cluster has one) is in it.
 */
function releaseName(identity: StackIdentity, slot: Slot): string {
  return fitName(
    `${identity.project}-${identity.name}-${identity.environment}-${slot}`,
    /[A-Za-z0-9_-]/,
    255,
  );
}

export const taskFamily = releaseName;
export const serviceName = releaseName;

/** The log group of every release of the service: `/ecs/<project>/<name>/<environment>`. */
export function logGroupName(identity: StackIdentity): string {
  return fitName(
    `/ecs/${identity.project}/${identity.name}/${identity.environment}`,
    /[A-Za-z0-9_./#-]/,
    512,
  );
}

/**
 * A role of the service. IAM names are global to the account, so the region is part of it:
 * the same service deployed in two regions gets two pairs of roles.
 */
export function roleName(identity: StackIdentity, role: 'execution' | 'task'): string {
  return fitName(
    `${identity.project}-${identity.name}-${identity.environment}-${identity.region}-${role}`,
    /[A-Za-z0-9_+=,.@-]/,
    64,
  );
}

/** Target group names: at most 32 characters, letters, digits and inner hyphens only. */
const TARGET_GROUP_NAME_MAX = 32;

/**
 * The target group of one exposed container port of a slot: `<name>-<environment>` (cut to
 * fit), then `-<slot>-<hash>`. Target group names are unique per account and region, so the
 * hash covers what the readable part leaves out or cuts (project, container and port, the
 * full service name and environment).
 */
export function targetGroupName(identity: StackIdentity, slot: Slot, target: ContainerPortRef): string {
  const key = [identity.project, identity.name, identity.environment, slot, target.name, target.port].join(
    '/',
  );
  const suffix = `-${slot}-${shortHash(key)}`;
  const stem = `${identity.name}-${identity.environment}`
    .replace(/[^A-Za-z0-9]+/g, '-')
    .slice(0, TARGET_GROUP_NAME_MAX - suffix.length)
    .replace(/^-+|-+$/g, '')
    // AWS reserves the `internal-` prefix.
    .replace(/^internal(?=-|$)/i, 'int');
  return `${stem || 'tg'}${suffix}`;
}

/** The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`, …), for ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/**
 * The ARN of an ECS cluster given by name or ARN. The service is declared with the ARN
 * because that is what AWS reports back: a name would read as a change, and `cluster`
 * forces the service's replacement.
 */
export function clusterArn(cluster: string, where: { region: string; accountId: string }): string {
  if (cluster.startsWith('arn:')) return cluster;
  return `arn:${partitionOf(where.region)}:ecs:${where.region}:${where.accountId}:cluster/${cluster}`;
}

/**
 * The program's logical resource names (the last part of each URN). Stable and slot-scoped:
 * per-slot resources start with the slot, so removing a release deletes exactly the names
 * with its prefix, and changing only the weights leaves every name in place.
 */
export const logicalNames = {
  logGroup: 'log-group',
  executionRole: 'execution-role',
  executionRoleManagedPolicy: 'execution-role-managed-policy',
  taskRole: 'task-role',
  /** One weighted alias record per fqdn and slot, whether the slot holds a release or not. */
  record: (fqdn: string, slot: Slot) => `record-${fqdn}-${slot}`,
  /** The TXT record naming the stack that owns the fqdn. */
  ownership: (fqdn: string) => `owner-${fqdn}`,
  taskDefinition: (slot: Slot) => `${slot}-task-definition`,
  service: (slot: Slot) => `${slot}-service`,
  targetGroup: (slot: Slot, target: ContainerPortRef) => `${slot}-tg-${target.name}-${target.port}`,
  /** Only where the slot's ALB had no listener on that port; kept as long as the stack lives. */
  listener: (slot: Slot, port: number) => `${slot}-listener-${port}`,
  /** The certificates of a created HTTPS listener beyond its default (the first). */
  listenerCertificate: (slot: Slot, port: number, index: number) =>
    `${slot}-listener-${port}-certificate-${index}`,
  listenerRule: (slot: Slot, port: number) => `${slot}-rule-${port}`,
  /** The release's `policies`, inline on the shared task role. */
  taskPolicy: (slot: Slot) => `${slot}-task-policy`,
  /** Read access to the release's secrets, inline on the shared execution role. */
  secretsPolicy: (slot: Slot) => `${slot}-secrets-policy`,
  /** The release's `execution_policies`, inline on the shared execution role. */
  executionPolicy: (slot: Slot) => `${slot}-execution-policy`,
} as const;
