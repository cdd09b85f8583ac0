/**
 * The pure part of `ecs-crd rollback`: from the outputs of a stack left by an interrupted or
 * failed deployment, the `up`s that put it back (all traffic to the stable release, the
 * candidate removed). The command unlocks the stack and clears pending operations first, then
 * runs these in order. Running it again on a recovered stack plans nothing.
 */
import { DEFAULT_DRAIN_S, type DeploymentConfig } from '../config/types.js';
import { EcsCrdError } from '../errors.js';
import { type DeployAttempt, isSettled } from './phase.js';
import { type Environment, otherSlot, SLOTS, type Slot } from './ports/aws.js';
import type { DeploymentMeta, DesiredState, StackIdentity, StackOutputs } from './ports/stack.js';
import { keepDeclaredSlots, ownedListeners, splitWeights } from './rollout/desired.js';
import type { UpPurpose } from './rollout/types.js';

export interface RecoveryRequest {
  /** The stack's outputs; null when the stack does not exist. */
  outputs: StackOutputs | null;
  identity: StackIdentity;
  /** Discovery of the deployment file, as for `deploy`. */
  environment: Environment;
  /**
   * The command found a stale lock or pending operations: an update died mid-flight, so what
   * exists may be ahead of the outputs (which only the last finished update wrote).
   */
  dirty?: boolean;
  /**
   * The deployment whose run died holding the stack's lease, as the lease recorded it. When the
   * outputs do not know it (killed before its first update was recorded), its update may still
   * have created resources: recovery declares the live release alone, under its id, so that
   * `history` keeps it.
   */
  attempt?: DeployAttempt;
}

export type RecoveryPurpose = Extract<UpPurpose, 'restore-traffic' | 'remove-candidate'>;

export interface RecoveryStep {
  purpose: RecoveryPurpose;
  desired: DesiredState;
  description: string;
  /**
   * Seconds to wait once this step landed, before the next: after traffic is restored, the
   * release it left keeps serving the clients that still hold its DNS answer (`canary.drain`).
   */
  drainAfterS: number;
}

export interface RecoveryPlan {
  /** false: the stack is settled, nothing to do. */
  needed: boolean;
  /** Why recovery is (not) needed, for the user. */
  reason: string;
  /** The release that serves 100 % once recovered; null when none was ever finalized. */
  liveSlot: Slot | null;
  liveVersion: string | null;
  /** The `up`s to run, in order: traffic first, then the removal. */
  steps: RecoveryStep[];
}

/**
 * Plans the recovery of a stack.
 *
 * @throws EcsCrdError when the outputs name a live slot but keep no release for it: nothing
 *   safe can be declared, a person has to look.
 */
export function planRecovery(request: RecoveryRequest): RecoveryPlan {
  const { outputs, attempt } = request;
  if (!outputs) {
    return {
      needed: false,
      reason: attempt
        ? `deployment ${attempt.deploymentId} (version ${attempt.version}) stopped before its first update was recorded: nothing to put back`
        : 'the stack does not exist: nothing to recover',
      liveSlot: null,
      liveVersion: null,
      steps: [],
    };
  }
  const meta = abortedPause(attempt ? unrecordedMeta(outputs.meta, attempt) : outputs.meta);
  const live = meta.liveSlot;
  const target = liveReleaseOnly(outputs);
  // The slot that must end with no traffic: the non-live one, or the first deployment's candidate.
  const drained = live ? otherSlot(live) : (meta.candidateSlot ?? 'blue');
  const weights = splitWeights(drained, 0);
  const leftovers = SLOTS.filter((slot) => slot !== live && outputs.releases[slot] !== undefined);
  const settled = isSettled(meta.phase);
  const uncertain = !settled || request.dirty === true;
  const trafficRight = outputs.weights.blue === weights.blue && outputs.weights.green === weights.green;
  const plan = { liveSlot: live, liveVersion: meta.liveVersion };

  if (!uncertain && leftovers.length === 0 && trafficRight) {
    const serving = live
      ? `${meta.liveVersion ?? 'the live release'} on ${live} serves 100 %`
      : 'no release is live';
    return {
      ...plan,
      needed: false,
      reason: `the stack is ${meta.phase} and ${serving}: nothing to recover`,
      steps: [],
    };
  }

  const base = {
    identity: request.identity,
    listeners: ownedListeners(outputs, request.environment),
    environment: keepDeclaredSlots(
      request.environment,
      outputs,
      SLOTS.filter((slot) => outputs.releases[slot]),
    ),
    weights,
  };
  // An `up` killed mid-flight may have moved weights the outputs never recorded: restore
  // traffic before deleting anything whenever the candidate still exists and we cannot be sure.
  const restore = leftovers.length > 0 && (!trafficRight || uncertain);
  const steps: RecoveryStep[] = [
    ...(restore ? [restoreStep(outputs, meta, base, drained)] : []),
    {
      purpose: 'remove-candidate',
      desired: { ...base, releases: target, meta: recoveredMeta(meta, settled) },
      description:
        leftovers.length > 0
          ? `remove the release on ${leftovers.join(' and ')}`
          : 'remove anything the interrupted update left behind',
      drainAfterS: 0,
    },
  ];
  return {
    ...plan,
    needed: true,
    reason: whyNeeded(meta, settled, request.dirty === true, leftovers),
    steps,
  };
}

/** The releases once recovered: the live one alone (none before a first deployment finished). */
function liveReleaseOnly(outputs: StackOutputs): Partial<Record<Slot, DeploymentConfig>> {
  const live = outputs.meta.liveSlot;
  if (!live) return {};
  const release = outputs.releases[live];
  if (!release) {
    throw new EcsCrdError(`the stack says slot ${live} is live but keeps no release for it`, {
      hint: 'inspect the stack and the Route 53 records by hand: the outputs are inconsistent',
    });
  }
  return { [live]: release };
}

/** All traffic back to the live release (or off the first deployment's candidate), every release still declared. */
function restoreStep(
  outputs: StackOutputs,
  meta: DeploymentMeta,
  base: Pick<DesiredState, 'identity' | 'environment' | 'weights' | 'listeners'>,
  drained: Slot,
): RecoveryStep {
  const live = meta.liveSlot;
  return {
    purpose: 'restore-traffic',
    desired: { ...base, releases: { ...outputs.releases }, meta: { ...meta, phase: 'rolling_back' } },
    description: live
      ? `send 100 % of traffic to ${live} (${meta.liveVersion ?? 'live release'})`
      : `take all traffic off ${drained}`,
    // The drain of the release losing its traffic, as its own file set it (older stacks: the default).
    drainAfterS: outputs.releases[drained]?.canary.drain ?? DEFAULT_DRAIN_S,
  };
}

/**
 * The meta of a run the outputs do not know (killed before its first update was recorded):
 * where things stood, with the run's own id, version and start.
 */
function unrecordedMeta(meta: DeploymentMeta, attempt: DeployAttempt): DeploymentMeta {
  if (meta.deploymentId === attempt.deploymentId) return meta;
  return {
    ...meta,
    phase: 'interrupted',
    deploymentId: attempt.deploymentId,
    candidateVersion: attempt.version,
    candidateSlot: meta.liveSlot ? otherSlot(meta.liveSlot) : 'blue',
    step: -1,
    startedAt: attempt.startedAt,
    outcome: null,
    reason: 'its process stopped before its first update was recorded',
  };
}

/**
 * A paused deployment is recovered as a deploying one, its rollback an abort: the pause and its
 * `paused` outcome are cleared from every update of the recovery (the phase still says why).
 */
function abortedPause(meta: DeploymentMeta): DeploymentMeta {
  if (meta.phase !== 'paused') return meta;
  return { ...meta, outcome: null, pause: null };
}

function recoveredMeta(meta: DeploymentMeta, settled: boolean): DeploymentMeta {
  if (settled) return meta;
  const rolledBack = meta.phase === 'rolling_back' || meta.phase === 'paused';
  return {
    ...meta,
    phase: 'rolled_back',
    outcome: meta.outcome ?? (rolledBack ? 'rolled_back' : 'interrupted'),
    reason: `recovered by \`ecs-crd rollback\`${meta.reason ? `: ${meta.reason}` : ''}`,
  };
}

function whyNeeded(meta: DeploymentMeta, settled: boolean, dirty: boolean, leftovers: Slot[]): string {
  if (meta.phase === 'paused') {
    return `deployment ${meta.deploymentId} (version ${meta.candidateVersion ?? 'unknown'}) is paused: aborting it`;
  }
  if (!settled) {
    return `deployment ${meta.deploymentId} (version ${meta.candidateVersion ?? 'unknown'}) did not finish: the stack is ${meta.phase}`;
  }
  if (dirty) return 'an update was left unfinished (stale lock or pending operations)';
  if (leftovers.length > 0) return `a release is left on ${leftovers.join(' and ')}`;
  return 'the weights do not send all traffic to the live release';
}
