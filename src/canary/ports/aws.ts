/**
 * The AWS ports the rollout asks through: discovery (`AwsLookup`) and the health probe
 * (`HealthProbe`). Plain data in, plain data out; `src/aws` implements them, tests use the
 * fakes in test/helpers.
 */
import type { DeploymentConfig } from '../../config/types.js';

/** The two slots of a canary group. */
export type Slot = 'blue' | 'green';
export const SLOTS: readonly Slot[] = ['blue', 'green'];
export const otherSlot = (slot: Slot): Slot => (slot === 'blue' ? 'green' : 'blue');

// ---------------------------------------------------------------- discovery (AwsLookup)

export interface SlotListener {
  port: number;
  /** Absent when the slot's ALB has no listener on that port: the stack creates it. */
  listenerArn?: string;
  /** The rule priority to use: the file's, or the lowest free one on that listener. */
  priority: number;
  /**
   * The rule already on that listener with exactly this entry's conditions, and the ecs-crd
   * service its tags name (null when it has no ecs-crd tags): this service's own rule from an
   * earlier deployment, or another service's claim on the same host names.
   */
  existingRule?: { ruleArn: string; owner: RuleOwner | null };
  /**
   * The priority of each of the entry's further rules (`listeners[].rules`), in their order:
   * the file's, this service's own rule's from an earlier deployment, or the lowest free ones.
   * Absent when the entry has none.
   */
  rulePriorities?: number[];
}

/** The service an ecs-crd listener rule belongs to, by its `ecs-crd:*` tags. */
export interface RuleOwner {
  project: string;
  name: string;
  environment: string;
}

export interface SlotInfo {
  slot: Slot;
  /** The `CanaryRelease` tag value (the Route 53 set identifier). */
  releaseId: string;
  albArn: string;
  albName: string;
  albDnsName: string;
  /** The ALB's canonical hosted zone id, for alias records. */
  albZoneId: string;
  vpcId: string;
  /** One entry per `listeners[].port` of the file, in the file's order. */
  listeners: SlotListener[];
}

export interface HostedZoneInfo {
  fqdn: string;
  zoneId: string;
  zoneName: string;
}

/** What discovery found for one deployment file in one account and region. */
export interface Environment {
  accountId: string;
  region: string;
  slots: Record<Slot, SlotInfo>;
  /** One per service fqdn, in the file's order. */
  zones: HostedZoneInfo[];
}

export interface AwsLookup {
  /** Account id only (STS): renders `{{account_id}}` before the full discovery. */
  accountId(): Promise<string>;
  discover(config: DeploymentConfig): Promise<Environment>;
  /** Which set identifier serves each fqdn now, by the records' weights (drift check). */
  liveWeights(zones: HostedZoneInfo[]): Promise<Record<string, Record<string, number>>>;
  /** Which stack owns each fqdn, by its ownership record; null where it has none. */
  owners(zones: HostedZoneInfo[]): Promise<Record<string, string | null>>;
  /** The status (ACTIVE, DRAINING) of each of these ECS services the cluster holds; others are left out. */
  serviceStatuses(cluster: string, names: string[]): Promise<Record<string, string>>;
}

// ---------------------------------------------------------------- health (HealthProbe)

export type TargetState = 'healthy' | 'unhealthy' | 'initial' | 'draining' | 'unused' | 'unavailable';

/** A count of zero for every target state: the start of every tally. */
export function noTargets(): Record<TargetState, number> {
  return { healthy: 0, unhealthy: 0, initial: 0, draining: 0, unused: 0, unavailable: 0 };
}

export interface TargetGroupObservation {
  targetGroupArn: string;
  /** Count of targets per state, over all registered targets. */
  counts: Record<TargetState, number>;
  total: number;
  /** Distinct reasons/descriptions reported for targets that are not healthy. */
  reasons: string[];
}

export interface ServiceObservation {
  desired: number;
  running: number;
  pending: number;
  /** Tasks of the current deployment that stopped with a failure. */
  failedTasks: { taskArn: string; stoppedReason: string }[];
}

/** One look at the candidate release. The probe decides nothing. */
export interface Observation {
  /** Epoch milliseconds of the observation. */
  at: number;
  targetGroups: TargetGroupObservation[];
  /** null when the ECS service does not exist (yet, or any more). */
  service: ServiceObservation | null;
}

export interface CandidateRef {
  cluster: string;
  serviceName: string;
  targetGroupArns: string[];
}

export interface HealthProbe {
  observe(candidate: CandidateRef): Promise<Observation>;
}
