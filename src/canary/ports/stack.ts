/**
 * The stack port: what a deployment wants to exist (`DesiredState`, the single input of the
 * program), what the stack remembers between runs (`StackOutputs`, `DeploymentMeta`), and
 * the `StackRunner` through which the rollout drives the engine. The domain owns these;
 * `src/stack` implements them over Pulumi's Automation API.
 */
import type { DeploymentConfig, EnvironmentName } from '../../config/types.js';
import type { Environment, Slot, SlotInfo } from './aws.js';

/** Where a deployment is, as saved in the stack's outputs after every `up`. */
export type Phase = 'stable' | 'deploying' | 'paused' | 'rolling_back' | 'interrupted' | 'rolled_back';

/** Which stack: one per (project, service name, environment, region). */
export interface StackIdentity {
  project: string;
  name: string;
  environment: EnvironmentName;
  region: string;
}

/** Everything the program declares, as data. Changing only `weights` changes only the records. */
/**
 * A listener the stack created on a slot's ALB, because the ALB had none on that port. It
 * outlives the release it was created for: other services' rules may sit on it.
 */
export interface OwnedListener {
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  /** The first is the listener's default certificate. */
  certificateArns: string[];
}

export interface DesiredState {
  identity: StackIdentity;
  environment: Environment;
  /** The listeners the stack created and keeps, per slot ALB, whether the slot holds a release or not. */
  listeners: Partial<Record<Slot, OwnedListener[]>>;
  /** The resolved spec of each slot that holds a release; a slot absent here has no service. */
  releases: Partial<Record<Slot, DeploymentConfig>>;
  /** Percent of traffic per slot; the two always sum to 100. */
  weights: Record<Slot, number>;
  /** Recorded as stack outputs so the next run knows where things stand. */
  meta: DeploymentMeta;
}

/**
 * How a `deploy` (or `promote`) run ended. `paused`: stopped at a `pause: true` step, the stack
 * saved in the phase `paused`, the lease released; `promote` or `rollback` goes on from there.
 */
export type RolloutOutcome = 'deployed' | 'paused' | 'rolled_back' | 'rollback_failed' | 'interrupted';

/** Where a paused deployment stopped, saved with the phase `paused`. */
export interface PauseRecord {
  /** ISO-8601: when the pause began. */
  since: string;
  /** The candidate's weight during the pause. */
  weight: number;
  /** ISO-8601 end of a timed pause (`pause: SECONDS`); null: until promoted. */
  until: string | null;
}

export interface DeploymentMeta {
  phase: Phase;
  /** The slot serving (or last serving) production traffic; null before the first deployment. */
  liveSlot: Slot | null;
  liveVersion: string | null;
  /** Unique per `deploy` run. */
  deploymentId: string;
  /** The version being deployed by that run. */
  candidateVersion: string | null;
  candidateSlot: Slot | null;
  /** Index of the last completed strategy step, -1 before the first. */
  step: number;
  /** ISO-8601 start of that run. */
  startedAt: string;
  /** Final outcome once the run ended. */
  outcome: RolloutOutcome | null;
  reason: string | null;
  /** Set with the phase `paused` (absent or null otherwise, and in stacks older than pauses). */
  pause?: PauseRecord | null;
}

/** The stack outputs, read back. `releases` lets the next deployment declare the live release unchanged. */
export interface StackOutputs {
  meta: DeploymentMeta;
  releases: Partial<Record<Slot, DeploymentConfig>>;
  weights: Record<Slot, number>;
  /** Per-slot target group ARNs, for the health probe. */
  targetGroupArns: Partial<Record<Slot, string[]>>;
  /** Per-slot ECS service name. */
  serviceNames: Partial<Record<Slot, string>>;
  /**
   * Per slot holding a release, the discovery its resources were declared with. The next run
   * declares the live release with this, not with a fresh discovery: the rule priority it
   * holds (a fresh "lowest free" one would differ) and, where the stack created the listener,
   * no `listenerArn` (a fresh discovery would find that listener and the program would drop it).
   */
  slots?: Partial<Record<Slot, SlotInfo>>;
  /** The listeners the stack created, per slot ALB (absent in stacks older than this record). */
  listeners?: Partial<Record<Slot, OwnedListener[]>>;
}

export type ResourceOperation = 'create' | 'update' | 'replace' | 'delete' | 'same' | 'read' | 'refresh';

/** An engine event turned into ours, for the reporters. */
export interface EngineEvent {
  kind: 'resource-start' | 'resource-done' | 'resource-failed' | 'diagnostic' | 'summary';
  urn?: string;
  type?: string;
  name?: string;
  operation?: ResourceOperation;
  /** Properties that change (preview and updates). */
  diffs?: string[];
  durationMs?: number;
  message?: string;
  severity?: 'info' | 'warning' | 'error';
}

export interface ChangeSummary {
  /** Count per operation, as the engine reports it. */
  changes: Partial<Record<ResourceOperation, number>>;
  /** Epoch ms at which the engine recorded the update's end, as the stack's history keeps it. */
  endedAt?: number;
}

/** `2 update, 1 delete`, or `no changes`. */
export function formatChanges(summary: ChangeSummary): string {
  const parts = Object.entries(summary.changes).map(([op, n]) => `${n} ${op}`);
  return parts.length === 0 ? 'no changes' : parts.join(', ');
}

export interface PlannedChange {
  urn: string;
  type: string;
  name: string;
  operation: ResourceOperation;
  diffs: string[];
}

export interface HistoryEntry {
  version: number;
  kind: string;
  result: 'succeeded' | 'failed' | 'in-progress';
  startTime: string;
  endTime?: string;
  /** The outputs' meta at the end of that update, when the engine kept it. */
  meta?: DeploymentMeta;
}

export interface RunOptions {
  onEvent?: (event: EngineEvent) => void;
  /** Every line the engine prints, for --log-file. */
  onOutput?: (line: string) => void;
  signal?: AbortSignal;
}

/** The Pulumi side, as the rollout sees it. Implemented by `src/stack/runner.ts`. */
export interface StackRunner {
  preview(state: DesiredState, options?: RunOptions): Promise<PlannedChange[]>;
  up(state: DesiredState, options?: RunOptions): Promise<ChangeSummary>;
  destroy(options?: RunOptions): Promise<ChangeSummary>;
  /** null when the stack does not exist yet. */
  outputs(): Promise<StackOutputs | null>;
  history(): Promise<HistoryEntry[]>;
  /** Removes a stale lock left by a killed process. */
  cancel(): Promise<void>;
  /** Drops the operations a killed engine left pending; true when there were any. */
  clearPending(): Promise<boolean>;
  /** Deletes the (empty) stack. */
  remove(): Promise<void>;
}
